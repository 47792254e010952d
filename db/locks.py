"""Locks that hold across processes (webhook workers): PostgreSQL advisory locks; on SQLite, nothing to do.

An asyncio.Lock orders the tasks of one process only; two webhook workers each have their own. A session-level
advisory lock, `pg_advisory_lock(space, key)`, is held by one database connection at a time, and is released when
that connection lets go of it or closes (a killed worker holds nothing). Each space has its own small pool in
autocommit, apart from the pool the work itself uses: a holder waiting for a work connection can never be what
keeps another holder from one, so no pool runs dry into a deadlock. SQLite serves one process (its file is not
shared between hosts), whose own locks are enough.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.session import make_engine

log = logging.getLogger(__name__)
LOCK_CONNECTIONS = 4  # kept open per space; more are opened while many are held at once
MAX_HELD = 16  # per space and process, like the work's own pool (15): one more waits for a connection to come back
_LOCK = text("SELECT pg_advisory_lock(:space, :key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:space, :key)")


class LockSpace(enum.IntEnum):
    """What a lock's number counts, so that chat 7 and lead 7 are different locks."""

    CHAT = 1  # one update of a chat at a time, across workers (its order)
    LEAD_CARDS = 2  # one refresh of a lead's cards at a time (the last to read the lead edits last)


def lock_key(number: int) -> int:
    """A 64-bit id folded into the signed 32 bits an advisory lock's second key takes (a collision only makes two
    chats wait for each other)."""
    folded = (number ^ (number >> 32)) & 0xFFFF_FFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


class AdvisoryLocks:
    """`hold(space, number)`: held by one process at a time on PostgreSQL, at once on SQLite (see the module's docstring)."""

    def __init__(self, database_url: str | None) -> None:
        shared = database_url is not None and database_url.startswith("postgresql")
        self._url = database_url if shared else None
        self._engines: dict[LockSpace, AsyncEngine] = {}

    @property
    def across_processes(self) -> bool:
        """Whether holding a lock keeps other processes out (PostgreSQL), not only this one's other tasks."""
        return self._url is not None

    @asynccontextmanager
    async def hold(self, space: LockSpace, number: int) -> AsyncIterator[None]:
        """Wait until no other process holds this lock, and hold it for the block."""
        if self._url is None:
            yield
            return
        params = {"space": int(space), "key": lock_key(number)}
        async with self._engine(space).connect() as connection:
            await connection.execute(_LOCK, params)
            try:
                yield
            finally:
                try:
                    await connection.execute(_UNLOCK, params)
                except SQLAlchemyError as exc:  # the connection is gone, and the lock with it; never pool it again
                    log.warning("advisory lock not released (%s); connection dropped", exc.__class__.__name__)
                    await connection.invalidate()

    async def close(self) -> None:
        """Close the locks' connections (releasing any still held)."""
        for engine in self._engines.values():
            await engine.dispose()
        self._engines.clear()

    def _engine(self, space: LockSpace) -> AsyncEngine:
        if space not in self._engines:
            assert self._url is not None
            self._engines[space] = make_engine(self._url, isolation_level="AUTOCOMMIT", pool_size=LOCK_CONNECTIONS,
                                               max_overflow=MAX_HELD - LOCK_CONNECTIONS, pool_timeout=300)  # fmt: skip
        return self._engines[space]
