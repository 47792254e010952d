"""Telegram Business end to end: the real Application answering in the photographer's own chats through the fake
Bot API, and leaving a chat to the photographer when they write in it or the desk pauses it."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from sqlalchemy import select

from bot.business import business_key
from db.models import BusinessConnection, Conversation, Lead
from tests.conftest import ADMIN_CHAT_ID, RunningBot
from tests.fakes.telegram_server import FakeTelegram

CONNECTION = "biz-conn-1"
PHOTOGRAPHER = 7_000_001
PROSPECT = 5151
FULL_REQUEST = "Hi, I'm Dana, need a LinkedIn photo, free next Thursday morning, dana@example.com"


async def connect(bot: RunningBot, *, can_reply: bool = True, enabled: bool = True) -> None:
    """Push the connection update and wait until the bot has recorded it."""
    bot.fake.push_business_connection(CONNECTION, PHOTOGRAPHER, can_reply=can_reply, enabled=enabled)
    assert bot.services is not None
    for _ in range(500):
        async with bot.services.sessionmaker() as session:
            row = await session.get(BusinessConnection, CONNECTION)
        if row is not None and (row.enabled, row.can_reply) == (enabled, can_reply):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the business connection was not recorded")


async def business_reply(fake: FakeTelegram, text: str, contains: str) -> None:
    """A prospect's business message, and the bot's answer to it on the account's behalf."""
    fake.push_business_message(CONNECTION, PROSPECT, text)
    call = await fake.wait_for_text(PROSPECT, contains, where=lambda c: c.params.get("business_connection_id") == CONNECTION)
    assert call.status == 200


async def handled_so_far(fake: FakeTelegram) -> None:
    """Wait until everything pushed for PROSPECT's chat id is handled: the bot's own chat with the same person shares
    the chat id, and the updates of one chat id are handled in order, so its answer comes after them."""
    pushed = time.monotonic()
    fake.push_text(PROSPECT, "/start")
    await fake.wait_for_text(PROSPECT, "booking assistant", where=lambda c: "business_connection_id" not in c.params and c.at >= pushed)


async def test_business_message_is_answered_with_the_connection_id(running_bot: RunningBot) -> None:
    await connect(running_bot)
    await business_reply(running_bot.fake, FULL_REQUEST, "Anything else")
    assert all(c.params["business_connection_id"] == CONNECTION for c in running_bot.fake.business_sends())


async def test_business_lead_is_marked_as_business_and_kept_apart_from_the_bot_chat(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await connect(running_bot)
    await business_reply(fake, FULL_REQUEST, "Anything else")
    fake.push_text(PROSPECT, "/start")  # the same person in their own chat with the bot: a conversation of its own
    await fake.wait_for_text(PROSPECT, "booking assistant", where=lambda c: "business_connection_id" not in c.params)
    await business_reply(fake, "no notes", "Here's your request")
    await business_reply(fake, "confirm", "Thank you, Dana")
    card = await fake.wait_for_text(ADMIN_CHAT_ID, "New lead")
    assert "business" in card.params["text"]
    assert running_bot.services is not None
    async with running_bot.services.sessionmaker() as session:
        [lead] = (await session.execute(select(Lead))).scalars()
        direct = await session.get(Conversation, PROSPECT)
    assert (lead.source, lead.chat_id, lead.email) == ("business", business_key(PROSPECT), "dana@example.com")
    assert direct is not None and direct.last_lead_id is None


async def test_connection_revoked_mid_intake_gets_no_reply(running_bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    fake = running_bot.fake
    await connect(running_bot)
    await business_reply(fake, FULL_REQUEST, "Anything else")
    answered = len(fake.business_sends())
    await connect(running_bot, enabled=False)
    fake.push_business_message(CONNECTION, PROSPECT, "no notes")
    await handled_so_far(fake)
    assert len(fake.business_sends()) == answered  # not even tried: nothing for Telegram to refuse
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_connection_without_reply_rights_gets_no_reply(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await connect(running_bot, can_reply=False)
    fake.push_business_message(CONNECTION, PROSPECT, FULL_REQUEST)
    await handled_so_far(fake)
    assert fake.business_sends() == []


async def test_photographer_writing_silences_the_bot_there_and_tells_the_desk_once(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await connect(running_bot)
    await business_reply(fake, "How much is a headshot?", "")
    answered = len(fake.business_sends())
    fake.push_business_message(CONNECTION, PROSPECT, "Hi Dana, Sam here, let me help you myself", from_owner=True)
    notice = await fake.wait_for_text(ADMIN_CHAT_ID, f"You wrote in business chat {PROSPECT}")
    assert "12 h" in notice.params["text"]
    fake.push_business_message(CONNECTION, PROSPECT, "One more thing from me", from_owner=True)
    fake.push_business_message(CONNECTION, PROSPECT, FULL_REQUEST)
    await handled_so_far(fake)
    assert len(fake.business_sends()) == answered
    assert sum("You wrote in business chat" in t for t in fake.texts(ADMIN_CHAT_ID)) == 1


async def test_desk_resume_lets_the_bot_answer_a_taken_over_chat_again(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await connect(running_bot)
    fake.push_business_message(CONNECTION, PROSPECT, "Hi Dana, Sam here", from_owner=True)
    await fake.wait_for_text(ADMIN_CHAT_ID, "You wrote in business chat")
    fake.push_text(ADMIN_CHAT_ID, f"/resume {PROSPECT}")
    await fake.wait_for_text(ADMIN_CHAT_ID, f"answers in business chat {PROSPECT} again")
    await business_reply(fake, FULL_REQUEST, "Anything else")


async def test_desk_pause_keeps_the_bot_silent_in_that_business_chat(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await connect(running_bot)
    await business_reply(fake, "How much is a headshot?", "")
    answered = len(fake.business_sends())
    fake.push_text(ADMIN_CHAT_ID, f"/pause {PROSPECT}")
    await fake.wait_for_text(ADMIN_CHAT_ID, f"paused in business chat {PROSPECT}")
    fake.push_business_message(CONNECTION, PROSPECT, FULL_REQUEST)
    await handled_so_far(fake)
    assert len(fake.business_sends()) == answered


async def test_pause_from_someone_not_on_the_desk_is_refused(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await connect(running_bot)
    await business_reply(fake, "How much is a headshot?", "")
    fake.push_text(ADMIN_CHAT_ID, f"/pause {PROSPECT}", user_id=4_000_123)
    await fake.wait_for_text(ADMIN_CHAT_ID, "Only the studio's desk people")
    await business_reply(fake, FULL_REQUEST, "Anything else")
