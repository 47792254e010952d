"""The message log: what each chat said and was told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.engine.vocabulary import Direction
from db.base import rowcount, table_of, utcnow
from db.models import Message

_INSERT = insert(table_of(Message))


async def log_messages(session: AsyncSession, chat_id: int, direction: Direction, texts: Sequence[str]) -> None:
    """Append texts to a chat's log."""
    session.add_all(Message(chat_id=chat_id, direction=direction, text=text) for text in texts if text)
    await session.flush()


async def log_exchange(connection: AsyncConnection, chat_id: int, inbound: Sequence[str], outbound: Sequence[str]) -> None:
    """Append what came in and what went out, in one statement (this runs for every update)."""
    now = utcnow()
    rows = [{"chat_id": chat_id, "direction": Direction.IN, "text": t, "created_at": now} for t in inbound if t]
    rows += [{"chat_id": chat_id, "direction": Direction.OUT, "text": t, "created_at": now} for t in outbound if t]
    if rows:
        await connection.execute(_INSERT, rows)


async def recent_messages(session: AsyncSession, chat_id: int, limit: int = 20) -> list[Message]:
    """The chat's last messages, oldest first."""
    stmt = select(Message).where(Message.chat_id == chat_id).order_by(Message.id.desc()).limit(limit)
    rows = list((await session.execute(stmt)).scalars())
    rows.reverse()
    return rows


async def purge_messages(session: AsyncSession, before: datetime) -> int:
    """Delete logged messages older than `before`; returns how many."""
    result = await session.execute(delete(Message).where(Message.created_at < before))
    return rowcount(result)
