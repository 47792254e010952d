"""The update journal: each Telegram update applied once, with the replies it produced until they are handed over.

A redelivered update (a webhook retry, a re-fetch after a crash) finds its row and changes nothing; replies
not handed to Telegram yet are sent from the row, in order, by whoever finds them first. A row is keyed by the
bot's id and the update id: update ids are one bot's numbering, and a studio that re-creates its bot (or a second
bot on the same database) gets ids the old one used already.

`sent_count` counts the replies handed over: a reply is counted in a commit made *before* its Bot API call (the
first one in the decision's own transaction), and a call that fails is given back (`mark_sent` with the count
that went through). A process killed in between never sends a reply twice: the one reply whose call was in
flight was counted already. What it cannot know is whether that call reached Telegram (no Bot API call can be
asked about afterwards); counted before, it is sent at most once rather than possibly twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.base import table_of, utcnow
from db.models import ChatStatus, ProcessedUpdate

_TABLE = table_of(ProcessedUpdate)
_RECORD = insert(_TABLE)
_MARK = (  # each update's marks are written in order by the one task delivering it, so the last one holds
    update(_TABLE)
    .where(_TABLE.c.bot_id == bindparam("b_bot_id"), _TABLE.c.update_id == bindparam("b_update_id"))
    .values(sent_count=bindparam("b_sent_count"), sent_at=bindparam("b_sent_at", type_=_TABLE.c.sent_at.type))
)


async def find_update(session: AsyncSession, bot_id: int, update_id: int) -> ProcessedUpdate | None:
    """The journal row of an update this bot applied already."""
    return await session.get(ProcessedUpdate, (bot_id, update_id))


async def adopt_journal(session: AsyncSession, bot_id: int) -> None:
    """Rows journaled before they named their bot (bot id 0, revision 0011) are this bot's: it wrote them."""
    if bot_id:
        await session.execute(update(ProcessedUpdate).where(ProcessedUpdate.bot_id == 0).values(bot_id=bot_id))


async def record_update(
    connection: AsyncConnection, bot_id: int, update_id: int, chat_id: int | None, replies: list[dict[str, Any]], version: int,
    handed: int = 0,
) -> None:  # fmt: skip
    """Journal an applied update with its replies, the first `handed` of them counted as handed over already.

    Seen before, the update fails the primary key (IntegrityError), and the caller replays the stored row.
    """
    done = utcnow() if handed >= len(replies) else None
    values = {"bot_id": bot_id, "update_id": update_id, "chat_id": chat_id, "replies": replies, "version": version, "sent_count": handed, "sent_at": done}
    await connection.execute(_RECORD, values)


async def claim_update(session: AsyncSession, bot_id: int, update_id: int, chat_id: int | None) -> bool:
    """Journal an update that has no engine replies (an admin action) before acting on it; False if seen before."""
    if await session.get(ProcessedUpdate, (bot_id, update_id)) is not None:
        return False
    session.add(ProcessedUpdate(bot_id=bot_id, update_id=update_id, chat_id=chat_id, replies=[], version=0, sent_count=0, sent_at=utcnow()))
    await session.flush()
    return True


async def mark_sent(session: AsyncSession, bot_id: int, progress: dict[int, tuple[int, bool]]) -> None:
    """Record how many replies of many updates are handed over, in one statement: update id -> (count, all of them)."""
    if not progress:
        return
    now = utcnow()
    rows = [{"b_bot_id": bot_id, "b_update_id": uid, "b_sent_count": count, "b_sent_at": now if done else None} for uid, (count, done) in progress.items()]
    await (await session.connection()).execute(_MARK, rows)


async def undelivered(session: AsyncSession, bot_id: int, older_than: datetime, limit: int = 100) -> list[ProcessedUpdate]:
    """This bot's updates whose replies are not all handed over, oldest first (so each chat's order is kept)."""
    stmt = (
        select(ProcessedUpdate)
        .where(ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.sent_at.is_(None), ProcessedUpdate.created_at < older_than)
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
