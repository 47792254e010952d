"""The database each run of our bot gets: a fresh SQLite file, or a fresh PostgreSQL database dropped afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def async_url(url: str) -> str:
    """The URL with the async driver our bot uses (postgresql:// -> postgresql+asyncpg://)."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+asyncpg://" + url.removeprefix(plain)
    return url


@contextmanager
def fresh_database(kind: str, run_dir: Path, postgres_url: str | None) -> Iterator[str]:
    """The URL of an empty database of `kind` for one run; a PostgreSQL one is dropped on exit."""
    if kind == SQLITE:
        yield f"sqlite+aiosqlite:///{run_dir / 'bench.db'}"
        return
    if postgres_url is None:
        raise ValueError("PostgreSQL needs TEST_POSTGRES_URL")
    base = async_url(postgres_url)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(base, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_sql(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin_sql(url: str, statement: str) -> None:
    from db.session import make_engine

    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await asyncio.wait_for(connection.execute(text(statement)), timeout=30)
    finally:
        await engine.dispose()


async def count_leads(url: str) -> int:
    """How many leads our bot stored in the database."""
    from db.leads import count_leads as count
    from db.session import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await asyncio.wait_for(count(session), timeout=30)
    finally:
        await engine.dispose()
