"""Async Alembic environment; the URL comes from the bot's settings unless the caller set one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from alembic import context
from sqlalchemy.engine import Connection

from db import models  # noqa: F401  (registers the tables on Base.metadata)
from db.base import Base, UTCDateTime
from db.session import make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.settings import load_settings

    return load_settings().database_url


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Revisions stay free of our own imports: UTCDateTime is a plain timezone-aware DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        render_item=_render_item,
    )
    with _foreign_keys_off(connection) if sqlite else contextlib.nullcontext(), context.begin_transaction():
        context.run_migrations()
        if sqlite:
            _refuse_dangling_references(connection)


@contextlib.contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off while revisions run, checked before the commit, then on again.

    A batch operation rebuilds a table (copy, drop, rename); with foreign keys enforced, dropping the old table
    runs every ON DELETE of the rows that point at it, so rebuilding `leads` (the downgrade of 0002, say) set each
    conversation's `last_lead_id` to NULL. SQLite's own recipe for altering a table turns them off first; the
    pragma is ignored inside a transaction, so it goes to the driver before Alembic begins one.
    """
    if connection.in_transaction():  # a caller's transaction: the pragma would be ignored (SQLite says so)
        yield
        return
    _pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        _pragma(connection, "PRAGMA foreign_keys=ON")


def _pragma(connection: Connection, statement: str) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def _refuse_dangling_references(connection: Connection) -> None:
    """Fail the migration (rolled back) when a revision left a row pointing at nothing, as enforcement would have."""
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        raise RuntimeError(f"migration left rows pointing at nothing in: {sorted({row[0] for row in dangling})}")


async def _run_online() -> None:
    engine = make_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await engine.dispose()


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live database, from synchronous or asynchronous callers alike."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    asyncio.run(_run_online())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
