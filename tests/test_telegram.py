"""End to end: the real python-telegram-bot Application polling the fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from db.models import Lead
from tests.conftest import ADMIN_CHAT_ID, RunningBot, make_settings
from tests.fakes.telegram_server import Call, FakeTelegram

CHAT = 4242


def buttons_of(call: Call) -> dict[str, str]:
    """label -> callback_data of a sent message's inline keyboard."""
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def tap(fake: FakeTelegram, chat_id: int, label: str) -> None:
    """Tap a button on the newest message that has it."""
    for call in reversed(fake.sent_messages(chat_id)):
        if label in buttons_of(call):
            fake.push_callback(chat_id, buttons_of(call)[label], message_id=fake.message_id_of(call))
            return
    raise AssertionError(f"no button {label!r}")


async def say(fake: FakeTelegram, chat_id: int, text: str, expect: str) -> Call:
    """Send a message and wait for a reply containing `expect`."""
    fake.push_text(chat_id, text)
    return await fake.wait_for_text(chat_id, expect)


async def leads_of(bot: RunningBot) -> list[Lead]:
    assert bot.services is not None
    async with bot.services.sessionmaker() as session:
        return list((await session.execute(select(Lead))).scalars())


async def test_typed_intake_from_start_to_saved_lead_and_admin_card(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "/start website", "booking assistant")
    await say(fake, CHAT, "Hi, I'm Dana, need a LinkedIn photo, free next Thursday morning, dana@example.com", "Anything else")
    await say(fake, CHAT, "no notes", "Here's your request")
    await say(fake, CHAT, "confirm", "Thank you, Dana")
    card = await fake.wait_for_text(ADMIN_CHAT_ID, "New lead")
    assert "dana@example.com" in card.params["text"] and "website" in card.params["text"]
    [lead] = await leads_of(running_bot)
    assert (lead.name, lead.intended_use, lead.email, lead.source) == ("Dana", "linkedin", "dana@example.com", "website")
    assert lead.telegram_username == "dana_lee" and lead.availability[0]["part_of_day"] == "morning"


async def test_button_intake_answers_every_callback_and_saves_lead(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "/start", "booking assistant")
    await tap(fake, CHAT, "Book a session")
    await fake.wait_for_text(CHAT, "What will the headshots be for")
    await tap(fake, CHAT, "Acting / modelling")
    await fake.wait_for_text(CHAT, "When would suit you")
    await tap(fake, CHAT, "Weekends")
    await fake.wait_for_text(CHAT, "What name")
    await tap(fake, CHAT, "Dana Lee")
    contact_request = await fake.wait_for_text(CHAT, "How can")
    assert contact_request.params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    fake.push_contact(CHAT, "16045550123")
    await fake.wait_for_text(CHAT, "Anything else")
    await tap(fake, CHAT, "Skip")
    await fake.wait_for_text(CHAT, "Here's your request")
    await tap(fake, CHAT, "Confirm")
    await fake.wait_for_text(CHAT, "Thank you")
    await fake.wait_for_text(ADMIN_CHAT_ID, "New lead")
    assert len(fake.calls_to("answerCallbackQuery")) == 6
    [lead] = await leads_of(running_bot)
    assert (lead.intended_use, lead.phone, lead.name) == ("acting", "+16045550123", "Dana Lee")


async def test_double_tap_on_confirm_saves_one_lead(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "I'm Dana, LinkedIn, free next Thu morning, dana@example.com", "Anything else")
    summary = await say(fake, CHAT, "skip", "Here's your request")
    for _ in range(2):
        fake.push_callback(CHAT, buttons_of(summary)["Confirm"], message_id=fake.message_id_of(summary))
    await fake.wait_for_text(CHAT, "Thank you")
    await fake.wait_for_call("answerCallbackQuery", lambda c: bool(c.params.get("text")))
    await asyncio.sleep(0.2)
    assert len(await leads_of(running_bot)) == 1
    assert sum("Thank you" in t for t in fake.texts(CHAT)) == 1


async def test_restart_mid_intake_continues_where_it_stood(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "/book", "What will the headshots be for")
    await say(fake, CHAT, "for my LinkedIn", "When would suit you")
    await running_bot.stop()
    fake.push_text(CHAT, "next Tuesday afternoon")  # sent while the bot is down
    await running_bot.start()
    await fake.wait_for_text(CHAT, "What name")
    await say(fake, CHAT, "Dana Lee", "How can")
    await say(fake, CHAT, "dana@example.com", "Anything else")
    await say(fake, CHAT, "skip", "Here's your request")
    await say(fake, CHAT, "yes", "Thank you")
    [lead] = await leads_of(running_bot)
    assert lead.intended_use == "linkedin"
    assert [(w["weekday"], w["part_of_day"]) for w in lead.availability] == [("tue", "afternoon")]


async def test_media_gets_a_polite_reply_and_changes_nothing(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "/book", "What will the headshots be for")
    for kind in ("sticker", "photo", "voice"):
        fake.push_media(CHAT, kind)
    await fake.wait_for_messages(CHAT, 4)
    assert sum("only read text" in t for t in fake.texts(CHAT)) == 3
    await say(fake, CHAT, "LinkedIn", "When would suit you")


async def test_group_messages_are_not_intake(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    group = -100123
    fake.push_text(group, "I'm Dana, LinkedIn, dana@example.com", chat_type="supergroup")
    fake.push_text(group, "/book", chat_type="supergroup")
    reply = await fake.wait_for_text(group, "private chat")
    assert "@headshot_test_bot" in reply.params["text"]
    await asyncio.sleep(0.2)
    assert len(fake.sent_messages(group)) == 1
    assert await leads_of(running_bot) == []


async def test_edited_message_is_acknowledged_not_applied(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "/book", "What will the headshots be for")
    fake.push_edited_text(CHAT, "for my LinkedIn", message_id=1)
    await fake.wait_for_text(CHAT, "edited")
    await say(fake, CHAT, "dating", "When would suit you")


async def test_start_sets_the_command_menu_and_keeps_pending_updates(fake_telegram: FakeTelegram, sqlite_url: str) -> None:
    from tests.conftest import make_settings

    fake_telegram.push_text(CHAT, "/start")  # waiting before the bot starts
    bot = RunningBot(fake_telegram, make_settings(sqlite_url, fake_telegram))
    await bot.start()
    try:
        await fake_telegram.wait_for_text(CHAT, "booking assistant")
        menu = await fake_telegram.wait_for_call("setMyCommands", lambda c: "scope" not in c.params)  # admin chats get their own
        assert {c["command"] for c in menu.params["commands"]} >= {"book", "help", "cancel"}
        assert all(c.params.get("drop_pending_updates") in (None, False) for c in fake_telegram.calls_to("deleteWebhook"))
    finally:
        await bot.stop()


async def test_failing_command_menu_does_not_stop_the_bot(fake_telegram: FakeTelegram, sqlite_url: str) -> None:
    from tests.conftest import make_settings

    fake_telegram.fail_next("setMyCommands", status=500, description="Internal Server Error")
    bot = RunningBot(fake_telegram, make_settings(sqlite_url, fake_telegram))
    await bot.start()
    try:
        await say(fake_telegram, CHAT, "/help", "what I can do")
    finally:
        await bot.stop()


async def test_second_poller_conflict_stops_with_one_clear_error(fake_telegram: FakeTelegram, sqlite_url: str) -> None:
    from bot.services import build_services
    from bot.telegram.app import PollingConflict, build_application, serve_polling
    from tests.conftest import make_settings

    fake_telegram.fail_next("getUpdates", status=409, description="Conflict: terminated by other getUpdates request")
    services = build_services(make_settings(sqlite_url, fake_telegram))
    application = build_application(services, fake_telegram.token, fake_telegram.base_url)
    try:
        await asyncio.wait_for(serve_polling(application, asyncio.Event(), poll_timeout=1), timeout=10)
    except PollingConflict as exc:
        assert "409" in str(exc)
    else:
        raise AssertionError("a 409 must stop polling")
    finally:
        await services.close()


async def test_long_poll_timeout_is_sent_as_an_integer(running_bot: RunningBot) -> None:
    # The Bot API's getUpdates timeout is an Integer: "1.0" would be read as 0 by a strict server, and the bot would spin.
    await say(running_bot.fake, CHAT, "/help", "what I can do")
    timeouts = [c.params.get("timeout") for c in running_bot.fake.calls_to("getUpdates")]
    assert timeouts and all(type(t) is int for t in timeouts), timeouts
    assert 1 in timeouts


async def test_unanswered_question_reaches_the_admins_and_is_stored(running_bot: RunningBot) -> None:
    from db.questions import list_questions

    fake = running_bot.fake
    await say(fake, CHAT, "will my parrot be welcome?", "passed it on")
    notice = await fake.wait_for_text(ADMIN_CHAT_ID, "Unanswered question")
    assert "parrot" in notice.params["text"]
    assert running_bot.services is not None
    async with running_bot.services.sessionmaker() as session:
        [question] = await list_questions(session)
    assert question.chat_id == CHAT and question.text.startswith("will my parrot")


async def test_mydata_shows_everything_and_forget_leaves_no_row_naming_the_prospect(running_bot: RunningBot) -> None:
    import json

    from sqlalchemy import text

    fake = running_bot.fake
    await say(fake, CHAT, "I'm Dana, LinkedIn, free next Thu morning, dana@example.com", "Anything else")
    await say(fake, CHAT, "skip", "Here's your request")
    await say(fake, CHAT, "confirm", "Thank you")
    await say(fake, CHAT, "/mydata", "What I keep about you")
    document = await fake.wait_for_call("sendDocument")
    [record] = document.files.values()
    data = json.loads(record)
    assert data["leads"][0]["email"] == "dana@example.com" and data["messages"]
    prompt = await say(fake, CHAT, "/forget", "Delete everything?")
    fake.push_callback(CHAT, buttons_of(prompt)["Yes, delete everything"], message_id=fake.message_id_of(prompt))
    await fake.wait_for_text(CHAT, "Everything I kept about you is deleted")
    notice = await fake.wait_for_text(ADMIN_CHAT_ID, "/forget")
    assert "dana" not in notice.params["text"].lower()
    assert running_bot.services is not None
    from db.base import Base

    async with running_bot.services.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            assert not [r for r in rows if CHAT in tuple(r) or any("dana" in str(v).lower() for v in r)], table


async def test_forget_can_be_declined(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "I'm Dana, LinkedIn, free next Thu morning, dana@example.com", "Anything else")
    prompt = await say(fake, CHAT, "/forget", "Delete everything?")
    fake.push_callback(CHAT, buttons_of(prompt)["Keep my data"], message_id=fake.message_id_of(prompt))
    await fake.wait_for_text(CHAT, "Nothing was deleted")
    await say(fake, CHAT, "skip", "Here's your request")


async def test_429_and_502_on_send_are_retried_and_delivered_once(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    fake.fail_next("sendMessage", status=429, retry_after=1)
    fake.fail_next("sendMessage", status=502, description="Bad Gateway")
    await say(fake, CHAT, "/help", "what I can do")
    assert sum("what I can do" in t for t in fake.texts(CHAT)) == 1
    statuses = [c.status for c in fake.calls_to("sendMessage")]
    assert statuses[:3] == [429, 502, 200]


async def test_flooding_chat_gets_one_notice_and_no_partial_lead(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    for i in range(30):
        fake.push_text(CHAT, f"message {i} dana@example.com")
    await fake.wait_for_text(CHAT, "a lot of messages")
    await asyncio.sleep(0.3)
    assert sum("a lot of messages" in t for t in fake.texts(CHAT)) == 1
    assert await leads_of(running_bot) == []


async def test_channel_posts_and_forged_buttons_change_nothing(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    fake.push_channel_post(-100777, "I'm Dana, LinkedIn, dana@example.com")
    fake.push_callback(CHAT, "999|confirm|", message_id=1)
    fake.push_callback(CHAT, "not-our-data", message_id=1)
    answers = await fake.wait_for_call("answerCallbackQuery", lambda c: c.params.get("text") is not None)
    await asyncio.sleep(0.3)
    assert answers and fake.sent_messages() == []
    assert await leads_of(running_bot) == []


def test_rate_limit_window_slides() -> None:
    from bot.ratelimit import ChatRateLimit

    limit = ChatRateLimit(max_events=2, window=10)
    assert [limit.hit(1, t).allowed for t in (0, 1, 2)] == [True, True, False]
    assert limit.hit(1, 2.5).notify is False
    assert limit.hit(1, 11.5).allowed and limit.hit(2, 3).allowed


async def test_redelivered_updates_change_nothing_and_send_nothing_twice(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "I'm Dana, LinkedIn, free next Thu morning, dana@example.com", "Anything else")
    await running_bot.stop()
    skip = fake.push_text(CHAT, "skip")
    fake.redeliver(skip)
    confirm = fake.push_text(CHAT, "confirm")
    fake.redeliver(confirm)
    fake.redeliver(skip)
    await running_bot.start()
    await fake.wait_for_text(CHAT, "Thank you")
    await asyncio.sleep(0.5)
    texts = fake.texts(CHAT)
    assert sum("Here's your request" in t for t in texts) == 1
    assert sum("Thank you" in t for t in texts) == 1
    assert len(await leads_of(running_bot)) == 1


async def test_reply_that_cannot_be_sent_now_is_delivered_later_in_order(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    fake.fail_next("sendMessage", status=500, count=5)  # more than the limiter's retries
    fake.push_text(CHAT, "/help")
    await fake.wait_for_call("sendMessage", lambda c: c.status == 500 and len(fake.calls_to("sendMessage")) >= 5)
    fake.push_text(CHAT, "/book")
    await fake.wait_for_text(CHAT, "What will the headshots be for", timeout=10)
    texts = fake.texts(CHAT)
    assert [i for i, t in enumerate(texts) if "what I can do" in t] == [0]
    assert sum("what I can do" in t for t in texts) == 1


async def test_blocked_prospect_gets_nothing_more(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    fake.push_my_chat_member(CHAT, blocked=True)
    fake.fail_next("sendMessage", status=403)
    fake.push_text(CHAT, "/help")
    await fake.wait_for_call("sendMessage", lambda c: c.status == 403)
    await asyncio.sleep(0.3)
    assert fake.texts(CHAT) == []
    assert running_bot.services is not None
    from db.journal import is_blocked

    async with running_bot.services.sessionmaker() as session:
        assert await is_blocked(session, CHAT)
    fake.push_my_chat_member(CHAT, blocked=False)
    await say(fake, CHAT, "/help", "what I can do")


async def test_updates_of_one_chat_apply_in_order_while_chats_run_concurrently(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    script = ["/book", "LinkedIn", "weekends", "Dana Lee", "dana@example.com", "skip", "confirm"]
    chats = [6001, 6002, 6003]
    for text in script:  # everything queued at once, chats interleaved
        for chat in chats:
            fake.push_text(chat, text)
    for chat in chats:
        await fake.wait_for_text(chat, "Thank you", timeout=10)
    leads = await leads_of(running_bot)
    assert sorted(lead.chat_id for lead in leads) == chats
    assert all((lead.intended_use, lead.name, lead.email) == ("linkedin", "Dana Lee", "dana@example.com") for lead in leads)


async def test_photography_inquiry_reaches_the_desk_as_an_inquiry(running_bot: RunningBot) -> None:
    from bot.engine.vocabulary import QuestionKind
    from db.questions import list_questions

    fake = running_bot.fake
    await say(fake, CHAT, "Could you photograph our company gala in March?", "passed your request")
    notice = await fake.wait_for_text(ADMIN_CHAT_ID, "Photography inquiry")
    assert "gala" in notice.params["text"]
    assert running_bot.services is not None
    async with running_bot.services.sessionmaker() as session:
        [question] = await list_questions(session)
    assert question.kind is QuestionKind.INQUIRY and question.chat_id == CHAT


async def test_abuse_is_answered_once_then_let_be_and_never_reaches_the_photographer(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    for _ in range(3):
        fake.push_text(CHAT, "you are a useless idiot bot")
    await say(fake, CHAT, "How long does a session take?", "Session length")
    texts = [c.params["text"] for c in fake.sent_messages(CHAT)]
    assert len(texts) == 3 and "headshot sessions" in texts[0] and "leave it there" in texts[1]
    assert fake.sent_messages(ADMIN_CHAT_ID) == []


async def test_prospect_on_telegram_never_sees_an_example_value(fake_telegram: FakeTelegram, sqlite_url: str) -> None:
    from bot.content import load_content

    shipped = load_content()
    bot = RunningBot(fake_telegram, make_settings(sqlite_url, fake_telegram, prompts_dir=None))
    await bot.start()
    try:
        reply = await say(fake_telegram, CHAT, "What are your prices?", "will confirm")
    finally:
        await bot.stop()
    examples = [f.example for f in shipped.studio.facts.values() if f.example and f.value is None]
    assert not any(example.splitlines()[0] in reply.params["text"] for example in examples)
    assert "[example]" not in reply.params["text"]


async def test_nul_characters_are_dropped_before_anything_is_stored(database_url: str) -> None:
    from datetime import UTC, datetime

    from bot.engine.events import Incoming, Sender, Text
    from bot.services import build_services
    from db.messages import recent_messages

    services = build_services(make_settings(database_url))
    try:
        sender = Sender(user_id=5, first_name="Da\x00na")
        outcome = await services.conversations.handle(Incoming(5, sender, Text("how much\x00 is it?"), datetime.now(UTC)))
        assert outcome.replies
        async with services.sessionmaker() as session:
            logged = await recent_messages(session, 5)
        assert all("\x00" not in m.text for m in logged) and any("how much is it?" in m.text for m in logged)
    finally:
        await services.close()


async def test_a_recreated_bot_answers_the_update_ids_its_old_bot_used(sqlite_url: str) -> None:
    # The studio revokes its bot and makes a new one with @BotFather: same database, a new bot id, and Telegram
    # numbers the new bot's updates from where it likes (the fake from 10,001 for both).
    for token, chat_id in (("111111:OLD-bot-token", 4301), ("222222:NEW-bot-token", 4302)):
        with FakeTelegram(token=token) as fake:
            bot = RunningBot(fake, make_settings(sqlite_url, fake))
            await bot.start()
            try:
                update_id = fake.push_text(chat_id, "/help")
                await fake.wait_for_text(chat_id, "what I can do")
            finally:
                await bot.stop()
        assert update_id == 10_001
