"""The message log: what each chat said and was told."""

from __future__ import annotations

from collections.abc import Sequence

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Direction, Message


async def log_messages(session: AsyncSession, chat_id: int, direction: Direction, texts: Sequence[str]) -> None:
    """Append texts to a chat's log."""
    session.add_all(Message(chat_id=chat_id, direction=direction, text=text) for text in texts if text)
    await session.flush()


async def recent_messages(session: AsyncSession, chat_id: int, limit: int = 20) -> list[Message]:
    """The chat's last messages, oldest first."""
    stmt = select(Message).where(Message.chat_id == chat_id).order_by(Message.id.desc()).limit(limit)
    rows = list((await session.execute(stmt)).scalars())
    rows.reverse()
    return rows


async def purge_messages(session: AsyncSession, before: datetime) -> int:
    """Delete logged messages older than `before`; returns how many."""
    result = await session.execute(delete(Message).where(Message.created_at < before))
    return result.rowcount or 0
