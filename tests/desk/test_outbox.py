"""A new lead's card is owed from the lead's own commit: it arrives once, after failures, restarts and SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from db.models import OutboxItem
from db.session import make_engine, make_sessionmaker
from tests.conftest import ADMIN_CHAT_ID, make_settings
from tests.desk.conftest import MULTI_FACT, PROSPECT, DeskBot, book, say
from tests.fakes.telegram_server import Call, FakeTelegram, _ApiError, _Request

CARD = "New lead #1"


class KickedFromDesk(FakeTelegram):
    """The fake Bot API, refusing messages to the chats in `kicked` as Telegram does once the bot is removed."""

    def __init__(self) -> None:
        super().__init__()
        self.kicked: set[int] = set()
        self._handlers["sendmessage"] = ("sendMessage", self._send_unless_kicked)

    def _send_unless_kicked(self, req: _Request) -> object:
        if req.params.get("chat_id") in self.kicked:
            raise _ApiError(403, "Forbidden: bot was kicked from the group chat")
        return self._send(req)


def cards(fake: FakeTelegram) -> list[Call]:
    """Lead #1's cards that reached the admin chat."""
    return [c for c in fake.calls_to("sendMessage")
            if c.params.get("chat_id") == ADMIN_CHAT_ID and c.status == 200 and CARD in str(c.result["text"])]  # fmt: skip


async def _outbox(url: str) -> list[OutboxItem]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        rows = list((await session.execute(select(OutboxItem))).scalars())
    await engine.dispose()
    return rows


async def test_a_card_refused_by_telegram_arrives_once_after_a_restart(sqlite_url: str) -> None:
    with KickedFromDesk() as fake:
        bot = DeskBot(fake, make_settings(sqlite_url, fake))
        fake.kicked.add(ADMIN_CHAT_ID)
        await bot.start()
        try:
            await book(fake)
            await fake.wait_for_call("sendMessage", lambda c: c.params.get("chat_id") == ADMIN_CHAT_ID and c.status == 403)
        finally:
            await bot.stop()  # down before any retry: the card is owed in the database only
        assert cards(fake) == []
        [owed] = await _outbox(sqlite_url)
        assert owed.delivered_at is None and owed.attempts == 1
        fake.kicked.clear()  # the bot is added back to the group
        await bot.start()
        try:
            await fake.wait_for_text(ADMIN_CHAT_ID, CARD, timeout=10)
            await bot.run_job("desk-outbox")  # another round finds nothing owed
            await asyncio.sleep(0.3)
        finally:
            await bot.stop()
    assert len(cards(fake)) == 1
    [paid] = await _outbox(sqlite_url)
    assert paid.delivered_at is not None


async def test_a_card_delivered_at_once_is_not_sent_again_by_the_outbox_job(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    await fake.wait_for_text(ADMIN_CHAT_ID, CARD)
    await desk_bot.run_job("desk-outbox")
    await asyncio.sleep(0.3)
    assert len(cards(fake)) == 1
    [paid] = await _outbox(desk_bot.settings.database_url)
    assert paid.delivered_at is not None and paid.attempts == 1


def _start(fake: FakeTelegram, database_url: str, workdir: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "PROMPTS_DIR")}
    env |= {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url, "DATABASE_URL": database_url,
            "ADMIN_CHAT_IDS": str(ADMIN_CHAT_ID)}  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=workdir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


async def test_sigkill_between_the_leads_commit_and_its_card_then_restart_delivers_one_card(
    fake_telegram: FakeTelegram, sqlite_url: str, tmp_path: Path
) -> None:
    fake = fake_telegram
    process = _start(fake, sqlite_url, tmp_path)
    try:
        await fake.wait_for_call("getUpdates", timeout=20)  # polling: the bot's start-up is not the first reply's budget
        await say(fake, PROSPECT, MULTI_FACT, "Anything else", )
        await say(fake, PROSPECT, "skip", "Here's your request")
        fake.hold_next("sendMessage", 30, chat_id=PROSPECT)  # the lead is committed; its reply, then its card, wait
        fake.push_text(PROSPECT, "confirm")
        await fake.wait_for_text(PROSPECT, "Thank you", timeout=20)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert cards(fake) == [] and [row.delivered_at for row in await _outbox(sqlite_url)] == [None]
        process = _start(fake, sqlite_url, tmp_path)
        await fake.wait_for_text(ADMIN_CHAT_ID, CARD, timeout=20)
        await asyncio.sleep(SETTLE)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert len(cards(fake)) == 1


SETTLE = 6.0  # more than one outbox scan, to see that no second card follows
