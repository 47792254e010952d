"""A bot under test in its own subprocess, so its CPU time and peak memory are its own."""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import yaml

from benchmarks.lib.fake import TimedFakeTelegram
from benchmarks.lib.procstat import Usage, read_tree_usage

ROOT = Path(__file__).resolve().parents[2]
# Settings a developer's shell may hold; the bot under test must see only what the benchmark gives it.
_SETTINGS_ENV = (
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "DATABASE_URL", "ADMIN_CHAT_IDS", "TIMEZONE", "OPENAI_API_KEY",
    "OPENAI_BASE_URL", "OPENAI_MODEL", "PROMPTS_DIR", "LOG_LEVEL",
)  # fmt: skip
STOP_TIMEOUT = 15.0


class BotFailed(Exception):
    """The bot process exited or never started polling."""


@dataclass(frozen=True)
class BotKind:
    """Which bot a subprocess runs and what it is expected to produce."""

    name: str
    module: str  # run as `python -m module`
    saves_leads: bool  # every Confirm must become a stored lead
    sends_admin_cards: bool  # every lead also produces one sendMessage to the admin chat
    webhook: bool = False  # served by uvicorn (maybe several worker processes) instead of polling


@functools.cache
def studio_pack() -> Path:
    """The shipped pack as a studio that has set its facts (examples written in as values): the bot under load answers
    with prices, as a studio's bot does, instead of "the photographer will confirm"."""
    root = Path(tempfile.mkdtemp(prefix="bench-pack-")) / "prompts"
    atexit.register(shutil.rmtree, root.parent, ignore_errors=True)
    shutil.copytree(ROOT / "prompts", root)
    studio = yaml.safe_load((root / "studio.yaml").read_text(encoding="utf-8"))
    for fact in studio["facts"].values():
        if fact.get("value") is None and fact.get("example"):
            fact["value"] = fact.pop("example")
    (root / "studio.yaml").write_text(yaml.safe_dump(studio, allow_unicode=True), encoding="utf-8")
    return root


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without bot settings, plus `extra` and the repository on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in _SETTINGS_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["PROMPTS_DIR"] = str(studio_pack())
    return env | extra


class BotProcess:
    """Starts a bot module against the fake server; always stops it on exit (SIGTERM, then SIGKILL)."""

    def __init__(self, kind: BotKind, fake: TimedFakeTelegram, run_dir: Path, env: dict[str, str], args: list[str]) -> None:
        self.kind = kind
        self.fake = fake
        self.run_dir = run_dir
        self.env = env
        self.args = args
        self.log_path = run_dir / f"{kind.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.spawned_at = 0.0

    def __enter__(self) -> BotProcess:
        command = [sys.executable, "-m", self.kind.module, "--base-url", self.fake.base_url, *self.args]
        with self.log_path.open("wb") as log:
            self.spawned_at = time.monotonic()
            # Its own process group, so that a kill reaches uvicorn's workers too.
            self.process = subprocess.Popen(
                command, cwd=self.run_dir, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        """The bot's process id."""
        assert self.process is not None
        return self.process.pid

    async def wait_ready(self, timeout: float) -> float:
        """Seconds from spawning the process to its first getUpdates (polling) or to its webhook answering."""
        if self.fake.webhook is None:
            return await self.wait_polling(timeout)
        deadline = time.monotonic() + timeout
        while not await self.fake.webhook.ready():
            self._check_alive(deadline, timeout)
            await asyncio.sleep(0.005)
        return time.monotonic() - self.spawned_at

    def _check_alive(self, deadline: float, timeout: float) -> None:
        if self.process is None or self.process.poll() is not None:
            raise BotFailed(f"{self.kind.name} exited before serving\n{self.log_tail()}")
        if time.monotonic() > deadline:
            raise BotFailed(f"{self.kind.name} did not serve within {timeout:g}s\n{self.log_tail()}")

    async def wait_polling(self, timeout: float) -> float:
        """Seconds from spawning the process to its first getUpdates; BotFailed if it dies or takes too long."""
        deadline = time.monotonic() + timeout
        while self.fake.first_get_updates_at is None:
            if self.process is None or self.process.poll() is not None:
                raise BotFailed(f"{self.kind.name} exited before polling\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise BotFailed(f"{self.kind.name} did not poll within {timeout:g}s\n{self.log_tail()}")
            await asyncio.sleep(0.005)
        return self.fake.first_get_updates_at - self.spawned_at

    def usage(self) -> Usage:
        """CPU seconds and peak RSS of the bot so far (with its worker processes, if any)."""
        return read_tree_usage(self.pid)

    def stop(self) -> int | None:
        """Ask the bot to stop (it flushes and closes), kill it if it does not; its exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_TIMEOUT)
        return self.process.returncode

    def log_tail(self, lines: int = 15) -> str:
        """The last lines the bot wrote (its logs carry ids and event names, never message text or tokens)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join("    " + line for line in text.splitlines()[-lines:])
