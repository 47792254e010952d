"""The desk's fixtures: a running bot whose Application the test can reach (for its jobs), and intake helpers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from telegram.ext import Application

from bot.services import Services
from db.base import utcnow
from db.models import Conversation, Lead
from tests.conftest import ADMIN_CHAT_ID, RunningBot, make_settings
from tests.fakes.telegram_server import Call, FakeTelegram

PROSPECT = 4242
OTHER_ADMIN = 900_002
MULTI_FACT = "I'm Dana, LinkedIn, free next Thu morning, dana@example.com"


class DeskBot(RunningBot):
    """RunningBot that keeps its Application, so a test can run the scheduled jobs itself."""

    application: Application  # type: ignore[type-arg]

    async def start(self) -> None:
        """Build fresh services and start polling."""
        from bot.services import build_services
        from bot.telegram.app import build_application, serve_polling

        self.services = build_services(self.settings)
        self.application = build_application(self.services, self.fake.token, self.fake.base_url)
        self.stop_event = asyncio.Event()
        self.task = asyncio.create_task(serve_polling(self.application, self.stop_event, poll_timeout=1))
        await self.fake.wait_for_call("getUpdates")

    @property
    def svc(self) -> Services:
        """The running services."""
        assert self.services is not None
        return self.services  # type: ignore[return-value]

    async def run_job(self, name: str) -> None:
        """Run a scheduled job now, as the JobQueue would."""
        assert self.application.job_queue is not None
        [job] = self.application.job_queue.get_jobs_by_name(name)
        await job.run(self.application)

    async def leads(self) -> list[Lead]:
        """Every lead, oldest first."""
        async with self.svc.sessionmaker() as session:
            return list((await session.execute(select(Lead).order_by(Lead.id))).scalars())

    async def age_conversation(self, chat_id: int, hours: float) -> None:
        """Pretend the chat's conversation was last touched `hours` ago (the test's stand-in for waiting)."""
        async with self.svc.sessionmaker.begin() as session:
            stmt = update(Conversation).where(Conversation.chat_id == chat_id).values(updated_at=utcnow() - timedelta(hours=hours))
            await session.execute(stmt)


@pytest.fixture
async def desk_bot_factory(fake_telegram: FakeTelegram, sqlite_url: str) -> AsyncIterator[Callable[..., DeskBot]]:
    """Make DeskBots with setting overrides (the test starts them); each is stopped at the end."""
    made: list[DeskBot] = []

    def make(**overrides: Any) -> DeskBot:
        made.append(DeskBot(fake_telegram, make_settings(sqlite_url, fake_telegram, **overrides)))
        return made[-1]

    yield make
    for bot in made:
        if bot.task is not None:
            await bot.stop()


@pytest.fixture
async def desk_bot(fake_telegram: FakeTelegram, sqlite_url: str) -> AsyncIterator[DeskBot]:
    """A running bot on SQLite with one admin chat."""
    bot = DeskBot(fake_telegram, make_settings(sqlite_url, fake_telegram))
    await bot.start()
    yield bot
    await bot.stop()


def buttons_of(call: Call) -> dict[str, str]:
    """label -> callback_data of a sent or edited message's inline keyboard."""
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


def tap(fake: FakeTelegram, chat_id: int, call: Call, label: str, *, user_id: int | None = None) -> None:
    """Tap a button of a message the bot sent."""
    fake.push_callback(chat_id, buttons_of(call)[label], message_id=fake.message_id_of(call), user_id=user_id)


async def new_text(fake: FakeTelegram, chat_id: int, after: int, contains: str, timeout: float = 5.0) -> Call:
    """The first message to a chat, after its first `after` ones, whose shown text contains `contains`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for call in fake.sent_messages(chat_id)[after:]:
            if contains.casefold() in shown(call).casefold():
                return call
        await asyncio.sleep(0.01)
    raise AssertionError(f"no new message to {chat_id} containing {contains!r}; got {fake.texts(chat_id)[after:]}")


async def say(fake: FakeTelegram, chat_id: int, text: str, expect: str, **who: Any) -> Call:
    """Send a message and wait for a new reply containing `expect`."""
    before = len(fake.sent_messages(chat_id))
    fake.push_text(chat_id, text, **who)
    return await new_text(fake, chat_id, before, expect)


async def book(fake: FakeTelegram, chat_id: int = PROSPECT, text: str = MULTI_FACT, notes: str = "skip", **who: Any) -> None:
    """A prospect books in three messages and gets the confirmation."""
    await say(fake, chat_id, text, "Anything else", **who)
    await say(fake, chat_id, notes, "Here's your request", **who)
    await say(fake, chat_id, "confirm", "Thank you", **who)


async def card_in(fake: FakeTelegram, admin_chat: int, lead_id: int) -> Call:
    """The lead's card as first sent to an admin chat (a tap at once waits for the desk to remember it)."""
    return await fake.wait_for_text(admin_chat, f"New lead #{lead_id}")


async def follow_up(fake: FakeTelegram, lead_id: int = 1, timeout: float = 5.0) -> Call:
    """The lead's card in the admin chat as it first shows its suggested follow-up: sent with it (the template's),
    or edited to show it (a model's)."""
    header = re.compile(rf"(New lead|Lead) #{lead_id}\b")
    return await fake.wait_for_text(ADMIN_CHAT_ID, "Suggested follow-up", timeout=timeout, edits=True,
                                    where=lambda call: header.match(shown(call)) is not None)


def shown(call: Call) -> str:
    """A sent or edited message's text as the person sees it (HTML rendered)."""
    return str(call.result["text"])
