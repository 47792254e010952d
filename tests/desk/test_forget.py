"""/forget forgets everything, the desk's messages about the prospect included; /mydata shows what is kept, notes aside."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select, text

from bot.engine.events import ButtonPress, Command, Incoming, Text
from bot.services import build_services
from db.base import Base
from db.models import CachedAnswer
from tests.conftest import ADMIN_CHAT_ID, make_settings
from tests.desk.conftest import PROSPECT, DeskBot, book, buttons_of, card_in, say, shown, tap
from tests.engine.helpers import DANA
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import Call, FakeTelegram

DELETED = "Deleted at the prospect's request"
PARROT = "will my parrot Flint be welcome?"


async def _forget(fake: FakeTelegram, chat_id: int = PROSPECT) -> None:
    prompt = await say(fake, chat_id, "/forget", "Delete everything?")
    fake.push_callback(chat_id, buttons_of(prompt)["Yes, delete everything"], message_id=fake.message_id_of(prompt))
    await fake.wait_for_text(chat_id, "Everything I kept about you is deleted")


async def _desk_messages_about_them(desk_bot: DeskBot) -> list[Call]:
    """A question answered and kept for everyone, a booking, a note: every kind of desk message about the prospect."""
    fake = desk_bot.fake
    fake.push_text(PROSPECT, PARROT)
    notice = await fake.wait_for_text(ADMIN_CHAT_ID, "Unanswered question")
    fake.push_text(ADMIN_CHAT_ID, "Yes, Flint is welcome.", reply_to_message_id=fake.message_id_of(notice))
    sent = await fake.wait_for_text(ADMIN_CHAT_ID, "Sent to chat 4242")
    tap(fake, ADMIN_CHAT_ID, sent, "Save as answer for everyone")
    await fake.wait_for_call("editMessageText", lambda c: "learned answer #1" in shown(c))
    await book(fake)
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    tap(fake, ADMIN_CHAT_ID, card, "Note")
    prompt = await fake.wait_for_text(ADMIN_CHAT_ID, "Write the note for lead #1")
    fake.push_text(ADMIN_CHAT_ID, "Dana prefers outdoor light", reply_to_message_id=fake.message_id_of(prompt))
    await fake.wait_for_text(ADMIN_CHAT_ID, "Note saved on lead #1")
    return [notice, card, prompt]


async def test_forget_leaves_no_row_naming_or_quoting_them(desk_bot: DeskBot) -> None:
    await _desk_messages_about_them(desk_bot)
    await _forget(desk_bot.fake)
    await desk_bot.fake.wait_for_text(ADMIN_CHAT_ID, "/forget")
    async with desk_bot.svc.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            naming = [r for r in rows if PROSPECT in tuple(r) or any(w in str(v).lower() for v in r for w in ("dana", "flint"))]
            assert naming == [], table.name
    assert desk_bot.svc.learned.match("will my parrot Flint be welcome?") is None  # the answer kept from their question


async def test_forget_edits_every_desk_message_about_them_to_say_so(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    about = await _desk_messages_about_them(desk_bot)
    await _forget(fake)
    for call in about:
        message_id = fake.message_id_of(call)
        await fake.wait_for_text(ADMIN_CHAT_ID, DELETED, edits=True, where=lambda c, m=message_id: c.params.get("message_id") == m)
        now = fake.bot_message(ADMIN_CHAT_ID, fake.message_id_of(call))
        assert now is not None and now["text"] == f"🗑 {DELETED}." and "reply_markup" not in now


async def test_a_desk_message_telegram_would_not_edit_is_edited_by_the_outbox_later(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    fake.fail_next("editMessageText", status=403, description="Forbidden: bot was kicked from the group chat")
    await _forget(fake)
    await fake.wait_for_call("editMessageText", lambda c: c.status == 403)
    async with desk_bot.svc.sessionmaker.begin() as session:  # the retry's delay, passed
        await session.execute(text("UPDATE desk_outbox SET due_at = created_at"))
    await desk_bot.run_job("desk-outbox")  # (or the job's own round, if it came first)
    await fake.wait_for_call("editMessageText", lambda c: c.status == 200 and DELETED in shown(c), timeout=10)
    now = fake.bot_message(ADMIN_CHAT_ID, fake.message_id_of(card))
    assert now is not None and DELETED in now["text"]


async def test_mydata_shows_what_is_kept_without_the_photographers_notes(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await _desk_messages_about_them(desk_bot)
    await say(fake, PROSPECT, "/mydata", "What I keep about you")
    document = await fake.wait_for_call("sendDocument")
    [record] = document.files.values()
    data = json.loads(record)
    assert data["leads"][0]["email"] == "dana@example.com"
    assert [a["answer"] for a in data["answers_kept_for_everyone"]] == ["Yes, Flint is welcome."]
    assert data["lead_history"] and b"outdoor light" not in record


async def test_forget_deletes_the_model_answers_phrased_for_their_questions(fake_openai: FakeOpenAI, sqlite_url: str) -> None:
    services = build_services(make_settings(sqlite_url, openai_api_key="sk-test", openai_base_url=fake_openai.base_url))
    try:
        now = datetime.now(UTC)
        asked = await services.conversations.handle(Incoming(PROSPECT, DANA, Text("How much does a session cost?"), now))
        [reply] = asked.replies
        assert services.phrasing is not None
        await services.phrasing.finish(PROSPECT, reply)
        async with services.sessionmaker() as session:
            assert [row.chat_id for row in (await session.execute(select(CachedAnswer))).scalars()] == [PROSPECT]
        prompt = await services.conversations.handle(Incoming(PROSPECT, DANA, Command("forget", ""), now))
        await services.conversations.handle(Incoming(PROSPECT, DANA, ButtonPress("forget", "yes", prompt.version), now))
        async with services.sessionmaker() as session:
            assert list((await session.execute(select(CachedAnswer))).scalars()) == []
    finally:
        await services.close()

