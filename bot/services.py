"""The bot's long-lived services, built once from the settings and shared by every transport."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.answering import AnswerPhrasing
from bot.business import BusinessService
from bot.content import ContentPack, load_content
from bot.conversation import ConversationService
from bot.engine.intake import EngineContext
from bot.knowledge import PackAnswerer
from bot.learned import LearnedAnswerer
from bot.settings import Settings
from db.locks import AdvisoryLocks
from db.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Services:
    """Settings, content, database and the conversation service, wired together."""

    settings: Settings
    content: ContentPack
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    conversations: ConversationService
    learned: LearnedAnswerer  # the photographer's saved answers, tried before the pack; see LearnedAnswerer.reload
    business: BusinessService  # Telegram Business connections and chats
    phrasing: AnswerPhrasing | None = None  # set when a model is configured
    model_client: openai.AsyncOpenAI | None = None  # the process's one model client (phrasing, the desk's follow-ups)
    locks: AdvisoryLocks = field(default_factory=lambda: AdvisoryLocks(None))  # across webhook workers (PostgreSQL)

    async def close(self) -> None:
        """Release the database connections and the model client's."""
        try:
            if self.model_client is not None:
                await self.model_client.close()
        finally:
            await self.locks.close()
            await self.engine.dispose()


def build_services(settings: Settings, *, show_examples: bool = False) -> Services:
    """Load the content pack and open the database (without migrating it).

    `show_examples` is for the local try-outs only: Telegram never shows a fact still at its shipped example.
    """
    content = load_content(settings.prompts_dir)
    if show_examples:
        content = content.with_examples()
    engine = make_engine(settings.database_url)
    sessionmaker = make_sessionmaker(engine)
    answerer = PackAnswerer(content)
    learned = LearnedAnswerer(answerer)
    ctx = EngineContext(content=content, answerer=learned, zone=settings.zone)
    client = _model_client(settings)
    phrasing = _phrasing(settings, content, sessionmaker, answerer, client)
    reader = phrasing.phraser if phrasing is not None else None
    conversations = ConversationService(sessionmaker, ctx, defer_answers=phrasing is not None, reader=reader, bot_id=settings.bot_id)
    business = BusinessService(sessionmaker, settings.business_quiet_hours)
    locks = AdvisoryLocks(settings.database_url)
    return Services(settings, content, engine, sessionmaker, conversations, learned, business, phrasing, client, locks)


def _model_client(settings: Settings) -> openai.AsyncOpenAI | None:
    if settings.openai_api_key is None:
        return None
    from bot.llm import make_client

    return make_client(settings.openai_api_key.get_secret_value(), settings.openai_base_url, settings.openai_timeout)


def _phrasing(
    settings: Settings,
    content: ContentPack,
    sessionmaker: async_sessionmaker[AsyncSession],
    answerer: PackAnswerer,
    client: openai.AsyncOpenAI | None,
) -> AnswerPhrasing | None:
    if client is None:
        return None
    from bot.llm import ModelPhraser

    return AnswerPhrasing(sessionmaker, ModelPhraser(client, settings.openai_model, content), answerer)


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(PACKAGE_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str) -> None:
    """Bring the schema to the newest revision (synchronous: call it before the event loop starts)."""
    command.upgrade(alembic_config(database_url), "head")
