"""The desk end to end: the real Application, the fake Bot API server, an admin chat and a prospect."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable

import yaml
from sqlalchemy import select, update

from bot.content import KnowledgeEntry
from bot.engine.vocabulary import DeskMessageKind, Direction, LeadStatus
from bot.services import build_services
from db.desk import lead_events
from db.leads import create_lead
from db.learned import create_learned_answer
from db.messages import recent_messages
from db.models import DeskMessage, Question
from tests.conftest import ADMIN_CHAT_ID
from tests.desk.conftest import OTHER_ADMIN, PROSPECT, DeskBot, book, buttons_of, card_in, follow_up, say, shown, tap
from tests.fakes.telegram_server import Call, FakeTelegram


async def test_non_admin_gets_the_unknown_command_reply_and_changes_nothing(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    await card_in(fake, ADMIN_CHAT_ID, 1)
    for command in ("/leads", "/lead 1", "/export", "/stats", "/find dana", "/learned"):
        fake.push_text(PROSPECT, command)
    await fake.wait_for_messages(PROSPECT, len(fake.texts(PROSPECT)) + 6)
    assert fake.texts(PROSPECT)[-6:] == ["I don't know that command. /help lists what I can do."] * 6
    fake.push_callback(PROSPECT, "desk:st:1:booked", message_id=1)  # a forged card button
    await fake.wait_for_call("answerCallbackQuery", lambda c: "earlier message" in str(c.params.get("text")))
    [lead] = await desk_bot.leads()
    assert lead.status is LeadStatus.NEW
    assert fake.calls_to("sendDocument") == [] and fake.calls_to("editMessageText") == []


async def test_card_shows_the_lead_with_buttons_and_flags(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake, text="I'm Dana, team headshots for 12 people, free weekday mornings, dana@example.com",
               notes="Tight deadline for our annual report.")  # fmt: skip
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    text = shown(card)
    assert "@dana_lee" in text and "dana@example.com" in text and "12" in text
    assert "Team of 12" in text and "Deadline within 7 days" in text and "No email or phone" not in text
    assert list(buttons_of(card)) == ["Contacted", "Quoted", "Booked", "Lost", "Note", "Reply", "History", "Send draft", "Edit draft"]
    assert "Suggested follow-up" in text and "Priority: High" in text  # one message per lead, the draft included


async def test_status_button_records_an_event_and_edits_the_card_in_every_admin_chat(
    desk_bot_factory: Callable[..., DeskBot],
) -> None:
    bot = desk_bot_factory(admin_chat_ids=(ADMIN_CHAT_ID, OTHER_ADMIN))
    await bot.start()
    fake = bot.fake
    await book(fake)
    first, second = await card_in(fake, ADMIN_CHAT_ID, 1), await card_in(fake, OTHER_ADMIN, 1)
    tap(fake, ADMIN_CHAT_ID, first, "Contacted")
    await fake.wait_for_call("answerCallbackQuery", lambda c: c.params.get("text") == "Marked Contacted.")
    for chat, card in ((ADMIN_CHAT_ID, first), (OTHER_ADMIN, second)):
        edit = await fake.wait_for_call("editMessageText", lambda c, chat=chat: c.params["chat_id"] == chat)
        assert edit.params["message_id"] == fake.message_id_of(card)
        assert shown(edit).startswith("Lead #1 · Contacted") and "• Contacted" in buttons_of(edit)
    async with bot.svc.sessionmaker() as session:
        [event] = await lead_events(session, 1)
    assert (event.old_status, event.new_status, event.actor) == (LeadStatus.NEW, LeadStatus.CONTACTED, "Dana Lee")
    tap(fake, OTHER_ADMIN, second, "Contacted")  # the same status again: no second event
    await fake.wait_for_call("answerCallbackQuery", lambda c: c.params.get("text") == "Already Contacted.")
    [lead] = await bot.leads()
    assert lead.status is LeadStatus.CONTACTED


HOLD = 1.5  # seconds the fake keeps the lead card's answer back: its buttons are tapped meanwhile


async def _card_still_being_sent(fake: FakeTelegram) -> Call:
    """Book, with the answer to the lead card's sendMessage held back: the card is on screen, its id not yet stored."""
    fake.hold_next("sendMessage", HOLD, chat_id=ADMIN_CHAT_ID)
    await book(fake)
    return await follow_up(fake)  # the template's follow-up rides in the card


def _fetched_during_the_hold(fake: FakeTelegram, card: Call) -> bool:
    """Whether the bot had the tap before the card's answer came back (else the test proved nothing)."""
    polls = [c for c in fake.calls_to("getUpdates") if any("callback_query" in u for u in c.result or [])]
    return bool(polls) and polls[0].answered < card.answered + HOLD


async def test_a_draft_tapped_before_telegram_has_answered_for_the_card_is_sent(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    card = await _card_still_being_sent(fake)
    tap(fake, ADMIN_CHAT_ID, card, "Send draft")
    await fake.wait_for_text(PROSPECT, "thank you for your request")
    assert _fetched_during_the_hold(fake, card)
    assert not any(str(c.params.get("text")).startswith("That lead") for c in fake.calls_to("answerCallbackQuery"))


async def test_a_status_tapped_before_telegram_has_answered_for_the_card_edits_it(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    card = await _card_still_being_sent(fake)
    tap(fake, ADMIN_CHAT_ID, card, "Contacted")
    await fake.wait_for_call("answerCallbackQuery", lambda c: c.params.get("text") == "Marked Contacted.")
    edit = await fake.wait_for_call("editMessageText")
    assert edit.params["message_id"] == fake.message_id_of(card) and shown(edit).startswith("Lead #1 · Contacted")
    assert _fetched_during_the_hold(fake, card)


async def test_a_follow_up_posted_as_its_own_message_before_it_joined_the_card_still_works(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    message = await follow_up(fake)
    async with desk_bot.svc.sessionmaker.begin() as session:  # as a database from before the change holds it
        await session.execute(update(DeskMessage).values(kind=DeskMessageKind.INSIGHT))
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    await fake.wait_for_text(PROSPECT, "thank you for your request")
    edit = await fake.wait_for_call("editMessageText", lambda c: "Sent by Dana Lee" in shown(c))
    assert edit.params["message_id"] == fake.message_id_of(message) and "Send draft" not in buttons_of(edit)


async def test_note_is_kept_in_the_history(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    tap(fake, ADMIN_CHAT_ID, card, "Note")
    prompt = await fake.wait_for_text(ADMIN_CHAT_ID, "Write the note for lead #1")
    assert prompt.params["reply_markup"]["force_reply"] is True
    fake.push_text(ADMIN_CHAT_ID, "Prefers <b>outdoor</b> light", reply_to_message_id=fake.message_id_of(prompt))
    await fake.wait_for_text(ADMIN_CHAT_ID, "Note saved on lead #1")
    tap(fake, ADMIN_CHAT_ID, card, "History")
    history = await fake.wait_for_text(ADMIN_CHAT_ID, "History of lead #1")
    assert "Prefers <b>outdoor</b> light" in shown(history)  # escaped, so shown as typed
    assert "I'm Dana, LinkedIn" in shown(history)  # the conversation's last messages


async def test_reply_reaches_the_prospect_and_their_answer_comes_back(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    tap(fake, ADMIN_CHAT_ID, card, "Reply")
    prompt = await fake.wait_for_text(ADMIN_CHAT_ID, "Write your message to lead #1")
    fake.push_text(ADMIN_CHAT_ID, "Would Thursday at 10 work?", reply_to_message_id=fake.message_id_of(prompt))
    relayed = await fake.wait_for_text(PROSPECT, "Would Thursday at 10 work?")
    assert "from" in shown(relayed)
    await fake.wait_for_text(ADMIN_CHAT_ID, "Sent to lead #1")
    fake.push_text(PROSPECT, "Yes, perfect, see you then")
    notice = await fake.wait_for_text(ADMIN_CHAT_ID, "Yes, perfect")
    assert list(buttons_of(notice)) == ["Reply"]
    fake.push_text(ADMIN_CHAT_ID, "Great, bring two shirts", reply_to_message_id=fake.message_id_of(notice))
    await fake.wait_for_text(PROSPECT, "Great, bring two shirts")
    async with desk_bot.svc.sessionmaker() as session:
        log = await recent_messages(session, PROSPECT, limit=50)
    assert any(m.direction is Direction.OUT and "Would Thursday at 10 work?" in m.text for m in log)


async def test_answer_saved_for_everyone_is_used_for_the_next_prospect(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    fake.push_text(PROSPECT, "will my parrot be welcome?")
    notice = await fake.wait_for_text(ADMIN_CHAT_ID, "Unanswered question")
    fake.push_text(ADMIN_CHAT_ID, "Yes, well-behaved parrots are welcome.", reply_to_message_id=fake.message_id_of(notice))
    await fake.wait_for_text(PROSPECT, "parrots are welcome")
    sent = await fake.wait_for_text(ADMIN_CHAT_ID, "Sent to chat 4242")
    tap(fake, ADMIN_CHAT_ID, sent, "Save as answer for everyone")
    await fake.wait_for_call("editMessageText", lambda c: "learned answer #1" in shown(c))
    other = 5151
    fake.push_text(other, "Is my parrot welcome?", user_id=other, first_name="Sam", username="sam")
    answer = await fake.wait_for_text(other, "parrots are welcome")
    assert "passed it on" not in shown(answer)
    async with desk_bot.svc.sessionmaker() as session:
        [question] = (await session.execute(select(Question))).scalars()
    assert question.answer == "Yes, well-behaved parrots are welcome." and question.status.value == "answered"
    await asyncio.sleep(0.1)
    assert sum("Unanswered question" in t for t in fake.texts(ADMIN_CHAT_ID)) == 1
    listing = await say(fake, ADMIN_CHAT_ID, "/learned", "Learned answers: 1")
    tap(fake, ADMIN_CHAT_ID, listing, "Export as YAML")
    document = await fake.wait_for_call("sendDocument")
    [entry] = [KnowledgeEntry.model_validate(d) for d in yaml.safe_load_all(document.files["document"])]
    assert (entry.id, entry.answer) == ("learned_1", "Yes, well-behaved parrots are welcome.")


async def test_answers_saved_before_a_restart_are_used_after_it(desk_bot_factory: Callable[..., DeskBot]) -> None:
    bot = desk_bot_factory()
    services = build_services(bot.settings)
    async with services.sessionmaker.begin() as session:
        await create_learned_answer(session, "do you photograph dogs?", "Only with their humans.", "Anna")
    await services.close()
    await bot.start()
    answer = await say(bot.fake, PROSPECT, "Do you photograph dogs?", "humans")
    assert shown(answer) == "Only with their humans."


async def test_export_sends_a_csv_with_one_row_per_lead(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    await book(fake, 4343, "I'm Sam, dating profile, this weekend, sam@example.com", user_id=4343, first_name="Sam")
    fake.push_text(ADMIN_CHAT_ID, "/export")
    document = await fake.wait_for_call("sendDocument")
    rows = list(csv.DictReader(io.StringIO(document.files["document"].decode("utf-8"))))
    assert sorted(r["email"] for r in rows) == ["dana@example.com", "sam@example.com"]
    assert document.filenames["document"].endswith(".csv")


async def _leads(bot: DeskBot, *rows: tuple[str, LeadStatus]) -> None:
    async with bot.svc.sessionmaker.begin() as session:
        for name, status in rows:
            email = f"{name.lower()}@example.com"
            lead = await create_lead(session, chat_id=7000 + len(name), name=name, availability=[], email=email)
            lead.status = status


async def test_leads_lists_open_leads_newest_first_a_page_at_a_time(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    names = ["Ann", "Bea", "Cid", "Dot", "Eve", "Fay", "Gus"]
    await _leads(desk_bot, *[(n, LeadStatus.NEW) for n in names], ("Hal", LeadStatus.BOOKED), ("Ida", LeadStatus.QUOTED))
    fake.push_text(ADMIN_CHAT_ID, "/leads")
    first = await fake.wait_for_text(ADMIN_CHAT_ID, "All open: 8, page 1 of 2")
    assert [line.split(" · ")[2] for line in shown(first).splitlines()[1:]] == ["Ida", "Gus", "Fay", "Eve", "Dot"]
    tap(fake, ADMIN_CHAT_ID, first, "Older ›")
    second = await fake.wait_for_call("editMessageText", lambda c: "page 2 of 2" in shown(c))
    assert [line.split(" · ")[2] for line in shown(second).splitlines()[1:]] == ["Cid", "Bea", "Ann"]
    assert "Newer" in " ".join(buttons_of(second)) and "Older ›" not in buttons_of(second)
    fake.push_text(ADMIN_CHAT_ID, "/leads booked")
    booked = await fake.wait_for_text(ADMIN_CHAT_ID, "Booked: 1, page 1 of 1")
    tap(fake, ADMIN_CHAT_ID, booked, "#8 Hal")
    await fake.wait_for_text(ADMIN_CHAT_ID, "Lead #8 · Booked")
    await fake.wait_for_text(ADMIN_CHAT_ID, "History of lead #8")


async def test_find_searches_name_email_phone_and_username(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake, text="I'm Dana, LinkedIn, free next Thu morning, +1 604 555 0123")
    await _leads(desk_bot, ("Sam", LeadStatus.NEW))
    for query, expected in (("dana_lee", "#1"), ("604 555", "#1"), ("SAM@EXAMPLE", "#2"), ("nobody", "No lead matches")):
        fake.push_text(ADMIN_CHAT_ID, f"/find {query}")
        reply = await fake.wait_for_text(ADMIN_CHAT_ID, query if expected.startswith("No") else f"matching “{query}”")
        assert expected in shown(reply)
        fake.clear_calls()


async def test_lead_shows_the_card_and_the_last_messages(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    await card_in(fake, ADMIN_CHAT_ID, 1)
    fake.push_text(ADMIN_CHAT_ID, "/lead 1")
    await fake.wait_for_messages(ADMIN_CHAT_ID, 3)  # the new-lead card, then /lead's card and history
    card, history = fake.sent_messages(ADMIN_CHAT_ID)[-2:]
    assert shown(card).startswith("New lead #1") and "Booked" in buttons_of(card)
    assert "Suggested follow-up" in shown(card) and "Send draft" in buttons_of(card)  # the draft can go from here too
    assert "I'm Dana, LinkedIn" in shown(history) and "Thank you, Dana" in shown(history)
    fake.push_text(ADMIN_CHAT_ID, "/lead 99")
    await fake.wait_for_text(ADMIN_CHAT_ID, "There is no lead #99")


async def test_stats_counts_the_funnel_per_use_and_source(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    fake.push_text(PROSPECT, "/start website")
    await fake.wait_for_text(PROSPECT, "booking assistant")
    await book(fake)
    fake.push_text(5151, "how much is a session?", user_id=5151)  # a conversation, no intake
    await fake.wait_for_messages(5151, 1)
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    tap(fake, ADMIN_CHAT_ID, card, "Booked")
    await fake.wait_for_call("editMessageText")
    fake.push_text(ADMIN_CHAT_ID, "/stats")
    stats = shown(await fake.wait_for_text(ADMIN_CHAT_ID, "Funnel"))
    for line in ("Conversations started: 2 | 2", "Booking requests started: 1 | 1", "Leads confirmed: 1 | 1",
                 "Contacted: 1 | 1", "Booked: 1 | 1", "LinkedIn: 1 / 1", "website: 1 / 1 / 1", "Open questions: 0"):  # fmt: skip
        assert line in stats, line


async def test_reply_that_cannot_be_delivered_tells_the_photographer(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    fake.fail_next("sendMessage", status=403)
    fake.push_text(ADMIN_CHAT_ID, "Are you still interested?", reply_to_message_id=fake.message_id_of(card))
    failed = await fake.wait_for_text(ADMIN_CHAT_ID, "Could not deliver to lead #1")
    assert "blocked" in shown(failed)
    fake.push_text(ADMIN_CHAT_ID, "just a thought", reply_to_message_id=fake.message_id_of(failed))  # not about anyone
    await fake.wait_for_text(ADMIN_CHAT_ID, "reply to a lead card")


async def test_admin_chats_get_their_own_menu_and_a_failure_is_not_fatal(desk_bot_factory: Callable[..., DeskBot]) -> None:
    bot = desk_bot_factory(admin_chat_ids=(ADMIN_CHAT_ID, OTHER_ADMIN))
    bot.fake.fail_next("setMyCommands", status=400, count=2)  # the default menu and the first admin chat's
    await bot.start()
    menu = await bot.fake.wait_for_call("setMyCommands", lambda c: c.status == 200 and "scope" in c.params)
    assert menu.params["scope"] == {"type": "chat", "chat_id": OTHER_ADMIN}
    assert [c["command"] for c in menu.params["commands"]][:6] == ["leads", "lead", "find", "export", "stats", "learned"]
    bot.fake.push_text(ADMIN_CHAT_ID, "/leads")
    await bot.fake.wait_for_text(ADMIN_CHAT_ID, "No leads to show")


async def test_redelivered_desk_action_is_applied_once(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    await desk_bot.stop()
    update_id = fake.push_callback(ADMIN_CHAT_ID, buttons_of(card)["Booked"], message_id=fake.message_id_of(card))
    fake.redeliver(update_id)
    await desk_bot.start()
    await fake.wait_for_call("answerCallbackQuery", lambda c: c.params.get("text") == "Marked Booked.")
    await asyncio.sleep(0.5)
    async with desk_bot.svc.sessionmaker() as session:
        events = await lead_events(session, 1)
    assert [e.new_status for e in events] == [LeadStatus.BOOKED]
    assert len(fake.calls_to("answerCallbackQuery")) == 1
