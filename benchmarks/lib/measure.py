"""One measured run: a bot subprocess on one database, a warm-up prospect, the closed loop, then the open loop."""

from __future__ import annotations

import asyncio
import pickle
import secrets
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from benchmarks.baseline import PICKLE_NAME
from benchmarks.lib.botproc import BotFailed, BotKind, BotProcess, child_environment
from benchmarks.lib.databases import POSTGRESQL, count_leads
from benchmarks.lib.fake import TimedFakeTelegram, WebhookTarget
from benchmarks.lib.figures import PhaseFigures, RunFigures, Snapshot
from benchmarks.lib.loadgen import PhaseResult, run_closed_loop, run_open_loop
from benchmarks.lib.prospects import MIXES

ADMIN_CHAT_ID = 900_001
WARMUP_CHAT_ID = 10_000
CLOSED_FIRST_CHAT_ID = 1_000_000
OPEN_FIRST_CHAT_ID = 2_000_000

OURS = BotKind("ours", "benchmarks.lib.ours_runner", saves_leads=True, sends_admin_cards=True)
WEBHOOK = BotKind("webhook", "benchmarks.lib.webhook_runner", saves_leads=True, sends_admin_cards=True, webhook=True)
BASELINE = BotKind("baseline", "benchmarks.baseline", saves_leads=True, sends_admin_cards=True)
ECHO = BotKind("echo", "benchmarks.lib.echo_runner", saves_leads=False, sends_admin_cards=False)
KINDS = {kind.name: kind for kind in (OURS, WEBHOOK, BASELINE, ECHO)}
WITH_DATABASE = (OURS, WEBHOOK)
WEBHOOK_PATH = "/telegram"


@dataclass(frozen=True)
class LoadConfig:
    """The load every bot gets."""

    prospects: int
    rate: float  # open loop: updates per second (0 skips the open loop)
    duration: float  # open loop: seconds of pushing
    think: float  # open loop: a prospect's pause between a reply and its next message
    timeout: float  # longest wait for one reply
    startup_timeout: float
    api_delay: float = 0.0  # seconds each Bot API call but getUpdates takes on the fake server
    webhook_workers: int = 1  # uvicorn worker processes of the webhook bot
    mix: str = "intake"  # which script the prospects follow (benchmarks.lib.prospects.MIXES)


def _launch(
    kind: BotKind, fake: TimedFakeTelegram, run_dir: Path, database_url: str | None, workers: int
) -> tuple[list[str], dict[str, str]]:
    """Command-line arguments and environment for the bot process (secrets only in the environment)."""
    env = {"TELEGRAM_BOT_TOKEN": fake.token}
    if kind in WITH_DATABASE:
        assert database_url is not None
        env |= {"DATABASE_URL": database_url, "ADMIN_CHAT_IDS": str(ADMIN_CHAT_ID)}
    if kind is WEBHOOK:
        port, secret = _free_port(), secrets.token_urlsafe(16)
        fake.webhook = WebhookTarget(f"http://127.0.0.1:{port}", WEBHOOK_PATH, secret)
        env |= {
            "WEBHOOK_URL": f"https://webhook.invalid{WEBHOOK_PATH}",  # registered with the fake server only, never dialled
            "WEBHOOK_SECRET": secret,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_WORKERS": str(workers),
        }
    if kind in WITH_DATABASE:
        return [], child_environment(env)
    if kind is BASELINE:
        return ["--data-dir", str(run_dir), "--admin-chat", str(ADMIN_CHAT_ID)], child_environment(env)
    return [], child_environment(env)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _saved_leads(kind: BotKind, run_dir: Path, database_url: str | None) -> int | None:
    """Leads the bot stored, read after it stopped."""
    if kind in WITH_DATABASE:
        assert database_url is not None
        return await count_leads(database_url)
    if kind is BASELINE:
        from benchmarks.baseline.conversation import read_leads

        return len(read_leads(run_dir / PICKLE_NAME))
    return None


async def _wait_admin_cards(fake: TimedFakeTelegram, count: int, timeout: float) -> bool:
    """Lead cards go out after the prospect's reply (ours sends them in a background task): wait for them."""
    deadline = time.monotonic() + timeout
    while (seen := len(fake.inbox.get(ADMIN_CHAT_ID, ()))) < count:
        if not await fake.wait_inbox(ADMIN_CHAT_ID, seen, deadline - time.monotonic()):
            return False
    return True


@dataclass
class _Run:
    """One run while it is measured: the bot, its fake server, the load and the figures so far."""

    kind: BotKind
    fake: TimedFakeTelegram
    process: BotProcess
    config: LoadConfig
    figures: RunFigures

    @property
    def database_server(self) -> str | None:
        """The process name of the database server whose CPU counts too (PostgreSQL's backends)."""
        return "postgres" if self.figures.database == POSTGRESQL else None

    def snapshot(self) -> Snapshot:
        """The counters of the bot, the fake and the machine now."""
        return Snapshot.take(self.process.usage().cpu_seconds, self.fake.method_counts(ADMIN_CHAT_ID), self.database_server)

    async def phase(self, load: Callable[[], Awaitable[PhaseResult]], must_finish: int | None = None) -> PhaseResult:
        """Run one load phase, check it, wait for the lead cards and record its figures."""
        before = self.snapshot()
        result = await load()
        self.figures.leads_expected += result.leads_expected
        if self.kind.sends_admin_cards and not await _wait_admin_cards(self.fake, self.figures.leads_expected, self.config.timeout):
            self.figures.problems.append(f"{result.name}: fewer lead cards than leads")
        after = self.snapshot()
        self.figures.phases[result.name] = PhaseFigures.build(result, before, after, self.database_server is not None)
        if result.unanswered or result.script_errors:
            self.figures.problems.append(f"{result.name}: {result.unanswered} unanswered updates, {result.script_errors} script errors")
        if must_finish is not None and result.leads_expected != must_finish:
            self.figures.problems.append(f"{result.name}: {result.leads_expected} of {must_finish} prospects confirmed")
        return result


async def measure(kind: BotKind, database: str, database_url: str | None, run_dir: Path, config: LoadConfig) -> RunFigures:
    """Start the bot, load it, stop it, then count what it saved; the process is stopped whatever happens."""
    figures = RunFigures(kind.name, database, keeps_leads=kind.saves_leads)
    started = time.monotonic()
    fake = TimedFakeTelegram(config.api_delay)
    fake.attach(asyncio.get_running_loop())
    fake.start()
    try:
        args, env = _launch(kind, fake, run_dir, database_url, config.webhook_workers)
        with BotProcess(kind, fake, run_dir, env, args) as process:
            figures.startup_s = round(await process.wait_ready(config.startup_timeout), 3)
            await _load(_Run(kind, fake, process, config, figures))
            usage = process.usage()
            figures.peak_rss_mb = None if usage.peak_rss_bytes is None else round(usage.peak_rss_bytes / 2**20, 1)
            if usage.total_peak_rss_bytes is not None:
                figures.peak_rss_total_mb = round(usage.total_peak_rss_bytes / 2**20, 1)
            # uvicorn raises the SIGTERM again once its graceful shutdown is done, so the webhook bot ends with -15.
            if (status := process.stop()) not in (0, -signal.SIGTERM if kind.webhook else 0):
                figures.problems.append(f"exit status {status}\n{process.log_tail()}")
        figures.leads_saved = await _saved_leads(kind, run_dir, database_url)
    except (BotFailed, SQLAlchemyError, OSError, pickle.UnpicklingError, EOFError) as exc:
        figures.problems.append(f"{exc.__class__.__name__}: {exc}")
    finally:
        if fake.webhook is not None:
            await fake.stop_deliveries()
            if fake.webhook.dropped:
                figures.problems.append(f"{fake.webhook.dropped} updates the webhook never accepted")
            await fake.webhook.close()
        fake.stop()
    if kind.saves_leads and figures.leads_saved != figures.leads_expected:
        figures.problems.append(f"leads saved {figures.leads_saved} != expected {figures.leads_expected}")
    figures.wall_s = round(time.monotonic() - started, 2)
    return figures


async def _load(run: _Run) -> None:
    """Warm-up prospect (not reported), closed loop, open loop."""
    config, fake, script = run.config, run.fake, MIXES[run.config.mix]
    books = any(step.completes_lead for step in script)
    await run.phase(lambda: run_closed_loop(fake, 1, WARMUP_CHAT_ID, config.timeout, name="warmup", script=script), must_finish=int(books))
    del run.figures.phases["warmup"]
    await run.phase(lambda: run_closed_loop(fake, config.prospects, CLOSED_FIRST_CHAT_ID, config.timeout, script=script),
                    must_finish=config.prospects if books else 0)
    if config.rate > 0 and config.duration > 0:
        await run.phase(lambda: run_open_loop(fake, config.rate, config.duration, OPEN_FIRST_CHAT_ID, config.timeout, config.think, script))
