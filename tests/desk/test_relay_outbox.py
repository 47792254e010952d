"""The photographer's words to a prospect (a relay, an approved follow-up) are owed by the desk outbox from the tap that
approves them: a failure or a crash before the send delays them, never loses them, and nothing is sent twice."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import select, text

from bot.engine.vocabulary import OutboxKind
from db.models import OutboxItem
from tests.conftest import ADMIN_CHAT_ID
from tests.desk.conftest import PROSPECT, DeskBot, book, card_in, follow_up, tap
from tests.desk.test_outbox import SETTLE, _start
from tests.fakes.telegram_server import FakeTelegram

WORDS = "Would Thursday at 10 work?"
DRAFT = "thank you for your request"
DOWN = 5  # 502s in a row: more than the sender's own retries


def received(fake: FakeTelegram, words: str) -> int:
    """How many messages containing `words` reached the prospect."""
    return sum(words in t for t in fake.texts(PROSPECT))


async def _make_due(bot: DeskBot) -> None:
    async with bot.svc.sessionmaker.begin() as session:  # the retry's delay, passed
        await session.execute(text("UPDATE desk_outbox SET due_at = created_at WHERE delivered_at IS NULL"))


async def _items(bot: DeskBot, kind: OutboxKind) -> list[OutboxItem]:
    async with bot.svc.sessionmaker() as session:
        return list((await session.execute(select(OutboxItem).where(OutboxItem.kind == kind))).scalars())


async def test_a_relay_telegram_cannot_take_now_is_sent_once_by_the_outbox_later(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    card = await card_in(fake, ADMIN_CHAT_ID, 1)
    fake.fail_next("sendMessage", status=502, count=DOWN)
    reply = fake.push_text(ADMIN_CHAT_ID, WORDS, reply_to_message_id=fake.message_id_of(card))
    await fake.wait_for_text(ADMIN_CHAT_ID, "go out as soon as it does", timeout=15)
    assert received(fake, WORDS) == 0
    [owed] = await _items(desk_bot, OutboxKind.RELAY)
    assert owed.delivered_at is None and owed.lead_id == 1
    fake.redeliver(reply)  # the same reply again: claimed already, nothing more is owed
    await _make_due(desk_bot)
    await desk_bot.run_job("desk-outbox")
    await fake.wait_for_text(ADMIN_CHAT_ID, "Sent to lead #1")
    await desk_bot.run_job("desk-outbox")
    await asyncio.sleep(0.3)
    assert received(fake, WORDS) == 1 and len(await _items(desk_bot, OutboxKind.RELAY)) == 1


async def test_an_approved_follow_up_owed_at_shutdown_is_sent_once_after_the_restart(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    message = await follow_up(fake)
    fake.fail_next("sendMessage", status=502, count=DOWN)
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    await fake.wait_for_call("answerCallbackQuery", lambda c: "go out as soon as" in str(c.params.get("text")), timeout=15)
    await desk_bot.stop()
    await _make_due(desk_bot)
    await desk_bot.start()
    await fake.wait_for_text(PROSPECT, DRAFT, timeout=10)  # the outbox's first round after the start
    await fake.wait_for_text(ADMIN_CHAT_ID, "Sent to lead #1")
    await fake.wait_for_call("editMessageText", lambda c: "Sent by Dana Lee" in str(c.result.get("text")))
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")  # tapped again: sent already
    await fake.wait_for_call("answerCallbackQuery", lambda c: str(c.params.get("text")).startswith("Already sent"))
    assert received(fake, DRAFT) == 1


async def test_sigkill_while_a_follow_up_is_being_sent_then_restart_sends_it_once(
    fake_telegram: FakeTelegram, sqlite_url: str, tmp_path: Path
) -> None:
    fake = fake_telegram
    process = _start(fake, sqlite_url, tmp_path)
    try:
        await fake.wait_for_call("getUpdates", timeout=20)
        await book(fake)
        message = await follow_up(fake, timeout=20)
        fake.hold_next("sendMessage", 30, chat_id=PROSPECT)  # the follow-up is under way when the process dies
        tap(fake, ADMIN_CHAT_ID, message, "Send draft")
        await fake.wait_for_text(PROSPECT, DRAFT, timeout=20)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        fake.clear_calls()  # what the restarted bot sends, from here
        process = _start(fake, sqlite_url, tmp_path)
        await fake.wait_for_call("getUpdates", timeout=20)
        await asyncio.sleep(SETTLE)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert received(fake, DRAFT) == 0  # it reached Telegram once, before the kill: not again

