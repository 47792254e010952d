"""Shared fixtures: isolated settings, migrated databases (SQLite always, PostgreSQL when TEST_POSTGRES_URL is set),
the fake Telegram server and a running bot."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.lib.botproc import studio_pack
from bot.content import ContentPack, load_content
from bot.settings import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.offline import sitecustomize as offline

ADMIN_CHAT_ID = 900_001
ENV_SETTINGS = (
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "DATABASE_URL", "ADMIN_CHAT_IDS", "TIMEZONE", "OPENAI_API_KEY",
    "OPENAI_BASE_URL", "OPENAI_MODEL", "PROMPTS_DIR", "LOG_LEVEL", "LOG_FORMAT", "REMINDER_HOURS", "DIGEST_TIME",
)  # fmt: skip
TABLES = ("messages", "conversations", "leads", "questions", "lead_events", "desk_messages", "learned_answers", "funnel_events",
          "job_runs", "processed_updates", "chat_status", "lead_insights", "desk_assistants", "desk_invitations",
          "desk_outbox", "answer_cache", "business_connections", "business_chats")  # fmt: skip


OFFLINE = Path(offline.__file__).parent  # first on every child process's PYTHONPATH: its sitecustomize is the guard


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reaches_beyond_loopback: the test tries to on purpose (the guard must refuse it)")


@pytest.fixture(scope="session", autouse=True)
def _offline_children(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every process the suite starts is guarded too, and writes its refusals where the tests read them."""
    log = tmp_path_factory.mktemp("offline") / "refusals.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", os.pathsep.join([str(OFFLINE), *filter(None, [os.environ.get("PYTHONPATH")])]))
        patch.setenv(offline.LOG_VARIABLE, str(log))
        yield


@pytest.fixture(autouse=True)
def _nothing_beyond_loopback(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test fails when it, or a process it started, tried to reach beyond loopback, even if the code swallowed the
    refusal (a bot retrying Telegram for ever would otherwise pass, or hang, quietly)."""
    before = len(offline.refusals())
    yield
    tried = offline.refusals()[before:]
    if request.node.get_closest_marker("reaches_beyond_loopback"):
        assert tried, "the guard let this test's attempt beyond loopback through unrecorded"
    else:
        assert not tried, f"tried to reach beyond loopback: {tried}"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's settings or .env file."""
    for name in ENV_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def studio_prompts() -> Path:
    """The shipped pack as a studio that has set its facts (the load benchmark's copy, made once per process)."""
    return studio_pack()


@pytest.fixture(scope="session")
def content() -> ContentPack:
    """The pack of a studio that has set its facts (tests of the shipped pack load it themselves)."""
    return load_content(studio_prompts())


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        return None
    return Settings(database_url=url).database_url


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated once and dropped at the end."""
    base = _postgres_url()
    if base is None:
        pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    name = f"headshot_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(base, f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    from bot.services import upgrade_database

    upgrade_database(url)
    yield url
    asyncio.run(_admin_sql(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin_sql(url: str, statement: str) -> None:
    from db.session import make_engine

    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind (PostgreSQL skipped with a reason when not configured)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        from bot.services import upgrade_database

        upgrade_database(url)
        return url
    url = request.getfixturevalue("postgres_database")
    asyncio.run(_admin_sql(url, f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database, for tests whose subject is not the storage backend."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    from bot.services import upgrade_database

    upgrade_database(url)
    return url


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A fake Bot API server on 127.0.0.1."""
    server = FakeTelegram()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on 127.0.0.1."""
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


def make_settings(database_url: str, fake: FakeTelegram | None = None, **overrides: object) -> Settings:
    """Settings for a test: its database, the fake server, one admin chat."""
    values: dict[str, object] = {"database_url": database_url, "admin_chat_ids": (ADMIN_CHAT_ID,), "prompts_dir": studio_prompts()}
    if fake is not None:
        values |= {"telegram_bot_token": fake.token, "telegram_api_base_url": fake.base_url}
    return Settings(**(values | overrides))  # type: ignore[arg-type]


class RunningBot:
    """The real Application polling the fake server in the background of a test."""

    def __init__(self, fake: FakeTelegram, settings: Settings) -> None:
        self.fake = fake
        self.settings = settings
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.services = None

    async def start(self) -> None:
        """Build fresh services and start polling (a restart builds everything anew)."""
        from bot.services import build_services
        from bot.telegram.app import build_application, serve_polling

        self.services = build_services(self.settings)
        application = build_application(self.services, self.fake.token, self.fake.base_url)
        self.stop_event = asyncio.Event()
        self.task = asyncio.create_task(serve_polling(application, self.stop_event, poll_timeout=1))
        await self.fake.wait_for_call("getUpdates")

    async def stop(self) -> None:
        """Stop polling and close the database."""
        self.stop_event.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, timeout=10)
        if self.services is not None:
            await self.services.close()


@pytest.fixture
async def running_bot(fake_telegram: FakeTelegram, sqlite_url: str) -> AsyncIterator[RunningBot]:
    """A bot on SQLite polling the fake Telegram server."""
    bot = RunningBot(fake_telegram, make_settings(sqlite_url, fake_telegram))
    await bot.start()
    yield bot
    await bot.stop()


FIXED_NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # a Sunday, 12:00 in Vancouver
