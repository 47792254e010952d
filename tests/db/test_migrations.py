"""Alembic: upgrade and downgrade on SQLite and PostgreSQL, and no drift between models and revisions."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

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


def _sql(url: str, *statements: str) -> list[tuple[object, ...]]:
    async def run() -> list[tuple[object, ...]]:
        engine = make_engine(url)
        async with engine.begin() as connection:
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                result = await connection.execute(text(statement))
                rows = [tuple(r) for r in result] if result.returns_rows else rows
        await engine.dispose()
        return rows

    return asyncio.run(run())


def test_downgrade_below_0002_and_back_keeps_each_conversations_last_lead(database_url: str) -> None:
    # SQLite rebuilds `leads` to drop a column; with foreign keys enforced, dropping the old table ran the
    # conversations' ON DELETE SET NULL and every chat forgot its lead.
    config = alembic_config(database_url)
    command.downgrade(config, "0002")
    _sql(
        database_url,
        "INSERT INTO leads (id, created_at, updated_at, status, chat_id, availability) "
        "VALUES (7, '2026-12-01 10:00:00+00:00', '2026-12-01 10:00:00+00:00', 'new', 4301, '[]')",
        "INSERT INTO conversations (chat_id, step, state, version, last_lead_id, created_at, updated_at) "
        "VALUES (4301, 'idle', '{}', 1, 7, '2026-12-01 10:00:00+00:00', '2026-12-01 10:00:00+00:00')",
    )
    command.downgrade(config, "0001")
    assert _sql(database_url, "SELECT last_lead_id FROM conversations WHERE chat_id = 4301") == [(7,)]
    command.upgrade(config, "head")
    assert _sql(database_url, "SELECT last_lead_id FROM conversations WHERE chat_id = 4301") == [(7,)]
