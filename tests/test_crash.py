"""The bot as a real process, killed with SIGKILL in the middle of an intake and started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from db.models import Lead
from db.session import make_engine, make_sessionmaker
from tests.fakes.telegram_server import FakeTelegram

CHAT = 5151


def start_bot(fake: FakeTelegram, database_url: str, workdir: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("ADMIN_CHAT_IDS", "OPENAI_API_KEY", "PROMPTS_DIR")}
    env |= {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url, "DATABASE_URL": database_url}
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=workdir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


async def test_sigkill_mid_intake_then_restart_finishes_the_same_lead(fake_telegram: FakeTelegram, sqlite_url: str, tmp_path: Path) -> None:
    fake = fake_telegram
    process = start_bot(fake, sqlite_url, tmp_path)
    try:
        fake.push_text(CHAT, "/book")
        await fake.wait_for_text(CHAT, "What will the headshots be for", timeout=20)
        fake.push_text(CHAT, "for my LinkedIn")
        await fake.wait_for_text(CHAT, "When would suit you")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        fake.push_text(CHAT, "next Tuesday afternoon")  # arrives while the bot is dead
        process = start_bot(fake, sqlite_url, tmp_path)
        await fake.wait_for_text(CHAT, "What name", timeout=20)
        for text, expect in (("Dana Lee", "How can"), ("dana@example.com", "Anything else"), ("skip", "Here's your request"),
                             ("confirm", "Thank you")):  # fmt: skip
            fake.push_text(CHAT, text)
            await fake.wait_for_text(CHAT, expect)
    finally:
        process.kill()
        process.wait(timeout=10)
    engine = make_engine(sqlite_url)
    async with make_sessionmaker(engine)() as session:
        leads = list((await session.execute(select(Lead))).scalars())
    await engine.dispose()
    assert [(lead.intended_use, lead.name, lead.email) for lead in leads] == [("linkedin", "Dana Lee", "dana@example.com")]
    assert leads[0].availability[0]["part_of_day"] == "afternoon"
    assert sum("When would suit you" in t for t in fake.texts(CHAT)) == 1


async def test_sigkill_while_a_reply_is_in_flight_then_redelivery_does_not_send_it_again(
    fake_telegram: FakeTelegram, sqlite_url: str, tmp_path: Path
) -> None:
    fake = fake_telegram
    process = start_bot(fake, sqlite_url, tmp_path)
    try:
        fake.push_text(CHAT, "/book")
        await fake.wait_for_text(CHAT, "What will the headshots be for", timeout=20)
        fake.hold_next("sendMessage", 30, chat_id=CHAT)  # Telegram takes the reply; its answer never reaches the bot
        update_id = fake.push_text(CHAT, "for my LinkedIn")
        await fake.wait_for_text(CHAT, "When would suit you")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        fake.redeliver(update_id)  # as Telegram does when the bot died before its offset moved past the update
        process = start_bot(fake, sqlite_url, tmp_path)
        fake.push_text(CHAT, "next Tuesday afternoon")
        await fake.wait_for_text(CHAT, "What name", timeout=20)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert sum("When would suit you" in t for t in fake.texts(CHAT)) == 1
