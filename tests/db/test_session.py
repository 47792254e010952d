"""The SQLite engine's settings that durability and speed rest on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from db.session import make_engine

SYNCHRONOUS_NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL


async def test_sqlite_engine_uses_wal_with_synchronous_normal(tmp_path: Path) -> None:
    # WAL with synchronous=NORMAL: a commit is a write to the log, not an fsync; a killed process loses nothing committed.
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA synchronous"))).scalar() == SYNCHRONOUS_NORMAL
    finally:
        await engine.dispose()
