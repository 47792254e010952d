"""The update journal: each Telegram update applied once, with the replies it produced until they are delivered.

A redelivered update (a webhook retry, a re-fetch after a crash) finds its row and changes nothing; replies
that were not delivered yet are sent from the row, in order, by whoever finds them first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models import ChatStatus, ProcessedUpdate


async def find_update(session: AsyncSession, update_id: int) -> ProcessedUpdate | None:
    """The journal row of an update already applied."""
    return await session.get(ProcessedUpdate, update_id)


async def record_update(
    session: AsyncSession, update_id: int, chat_id: int | None, replies: list[dict[str, Any]], version: int
) -> None:
    """Journal an applied update with its replies, in the transaction that applied it."""
    done = utcnow() if not replies else None
    session.add(ProcessedUpdate(update_id=update_id, chat_id=chat_id, replies=replies, version=version, sent_count=0, sent_at=done))
    await session.flush()


async def claim_update(session: AsyncSession, update_id: int, chat_id: int | None) -> bool:
    """Journal an update that has no engine replies (an admin action) before acting on it; False if seen before."""
    if await session.get(ProcessedUpdate, update_id) is not None:
        return False
    session.add(ProcessedUpdate(update_id=update_id, chat_id=chat_id, replies=[], version=0, sent_count=0, sent_at=utcnow()))
    await session.flush()
    return True


async def mark_sent(session: AsyncSession, update_id: int, sent_count: int, done: bool) -> None:
    """Record delivery progress of an update's replies."""
    values: dict[str, Any] = {"sent_count": sent_count}
    if done:
        values["sent_at"] = utcnow()
    await session.execute(update(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id).values(**values))


async def undelivered(session: AsyncSession, older_than: datetime, limit: int = 100) -> list[ProcessedUpdate]:
    """Updates whose replies are not all delivered, oldest first (so each chat's order is kept)."""
    stmt = (
        select(ProcessedUpdate)
        .where(ProcessedUpdate.sent_at.is_(None), ProcessedUpdate.created_at < older_than)
        .order_by(ProcessedUpdate.created_at, ProcessedUpdate.update_id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def prune_journal(session: AsyncSession, before: datetime) -> None:
    """Forget delivered updates older than `before` (their replies are personal data)."""
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.sent_at.is_not(None), ProcessedUpdate.created_at < before))


async def set_blocked(session: AsyncSession, chat_id: int, blocked: bool) -> None:
    """Record that a prospect blocked (or unblocked) the bot."""
    row = await session.get(ChatStatus, chat_id)
    if row is None:
        row = ChatStatus(chat_id=chat_id)
        session.add(row)
    row.blocked_at = utcnow() if blocked else None
    await session.flush()


async def is_blocked(session: AsyncSession, chat_id: int) -> bool:
    """Whether a chat has blocked the bot."""
    row = await session.get(ChatStatus, chat_id)
    return row is not None and row.blocked_at is not None
