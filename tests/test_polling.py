"""`run` at start-up: a malformed token is a configuration error before any network; an unreachable Telegram is waited for."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import studio_prompts
from tests.fakes.telegram_server import FakeTelegram


def test_run_with_a_malformed_token_is_one_line_exit_2_and_no_request(fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "my-token-SECRETPART")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_telegram.base_url)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("headshot-bot: configuration error: TELEGRAM_BOT_TOKEN")
    assert "SECRETPART" not in err and "Value error" not in err
    assert fake_telegram.calls == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Lines:
    """A child's stderr, read line by line in a thread so the test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stderr is not None
        self._thread = threading.Thread(target=lambda: self.lines.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
        self._thread.start()

    def wait_for(self, text: str, count: int = 1, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while sum(text in line for line in self.lines) < count:
            assert time.monotonic() < deadline, f"waited for {count} x {text!r}; stderr so far: {''.join(self.lines)}"
            time.sleep(0.05)

    def text(self) -> str:
        self._thread.join(timeout=10)
        return "".join(self.lines)


async def test_run_waits_for_an_unreachable_telegram_then_polls(tmp_path: Path) -> None:
    port, fake = _free_port(), FakeTelegram()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ADMIN_CHAT_IDS")}
    env |= {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot", "PROMPTS_DIR": str(studio_prompts())}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True, env=env, cwd=tmp_path)  # fmt: skip
    stderr = _Lines(process)
    try:
        stderr.wait_for("Telegram is not reachable", count=2)  # connection refused: nothing listens on the port yet
        fake.start(port)
        await fake.wait_for_call("getUpdates", timeout=30)
        stderr.wait_for("polling as @headshot_test_bot")
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        fake.stop()
    text = stderr.text()
    assert code == 0, text
    retries = [line for line in text.splitlines() if "Telegram is not reachable" in line]
    assert "attempt 1" in retries[0] and "attempt 2" in retries[1] and "trying again in 1 s" in retries[0]
    assert "Traceback" not in text and fake.token not in text and fake.token.split(":")[1] not in text
