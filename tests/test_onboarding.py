"""From `init` and `doctor` to the first lead card in the photographer's own Telegram chat, as a new studio does it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from tests.desk.conftest import MULTI_FACT, PROSPECT, shown
from tests.fakes.telegram_server import FakeTelegram
from tests.test_setup import init_flags

PHOTOGRAPHER = 5151  # their Telegram user id, which nobody has to look up


async def _reply(fake: FakeTelegram, chat_id: int, text: str, expect: str, timeout: float = 30.0, **who: object) -> str:
    """Send a message as a person would and wait for the bot's new reply containing `expect`."""
    before = len(fake.sent_messages(chat_id))
    fake.push_text(chat_id, text, **who)  # type: ignore[arg-type]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := [shown(c) for c in fake.sent_messages(chat_id)[before:] if expect.casefold() in shown(c).casefold()]:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reply to {chat_id} containing {expect!r}; got {fake.texts(chat_id)[before:]}")


def _menu_set_for(chat_id: int) -> object:
    return lambda call: str(chat_id) in str(call.params.get("scope", ""))


async def test_init_run_join_then_a_prospects_lead_card_reaches_the_photographer(
    fake_telegram: FakeTelegram, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    assert await asyncio.to_thread(main, [*init_flags(fake_telegram), "--yes"]) == 0  # init runs its own event loop
    join = re.search(r"/join (\S+)", capsys.readouterr().out)
    assert join is not None
    assert await asyncio.to_thread(main, ["doctor"]) == 0  # the photographer checks before going live
    checks = capsys.readouterr().out.splitlines()
    assert checks and all(line.startswith("✓ ") for line in checks), checks
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=dict(os.environ),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        await fake_telegram.wait_for_call("getUpdates", timeout=60)
        welcome = await _reply(fake_telegram, PHOTOGRAPHER, f"/join {join.group(1)}", "Welcome to the desk",
                               user_id=PHOTOGRAPHER, first_name="Sam")  # fmt: skip
        assert "Bright Frame Studio" in welcome
        await fake_telegram.wait_for_call("setMyCommands", _menu_set_for(PHOTOGRAPHER), timeout=60)  # restarted with the desk
        await _reply(fake_telegram, PROSPECT, MULTI_FACT, "Anything else", user_id=PROSPECT)
        await _reply(fake_telegram, PROSPECT, "skip", "Here's your request", user_id=PROSPECT)
        await _reply(fake_telegram, PROSPECT, "confirm", "Thank you", user_id=PROSPECT)
        card = await fake_telegram.wait_for_text(PHOTOGRAPHER, "New lead #1", timeout=30)
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.5)  # a second card, were one coming, would be on its way by now
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "dana@example.com" in shown(card) and "Traceback" not in stderr and fake_telegram.token not in stderr
    assert [t for t in fake_telegram.texts(PHOTOGRAPHER) if "New lead" in t] == [card.params["text"]]
    print(f"init -> first lead card: {elapsed:.1f} s")
