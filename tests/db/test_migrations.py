"""Alembic: upgrade and downgrade on SQLite and PostgreSQL, and no drift between models and revisions."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.services import alembic_config
from db.base import Base
from db.session import make_engine


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        await engine.dispose()
        return names

    return asyncio.run(read())


def _drift(url: str) -> list[object]:
    async def read() -> list[object]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
            )
        await engine.dispose()
        return list(diff)

    return asyncio.run(read())


def test_migrations_upgrade_head_matches_models(database_url: str) -> None:
    assert {"leads", "conversations", "messages"} <= _tables(database_url)
    assert _drift(database_url) == []


def test_migrations_downgrade_base_and_upgrade_again(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    assert _tables(database_url) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert {"leads", "conversations", "messages"} <= _tables(database_url)
