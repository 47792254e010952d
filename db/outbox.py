"""The desk's outbox: notifications owed to the admin chats, written with what they announce, leased while sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxItem, OutboxKind

_TABLE = OutboxItem.__table__


async def owe_lead_card(session: AsyncSession, lead_id: int) -> OutboxItem:
    """Owe the admin chats a new lead's card; call it in the transaction that saves the lead."""
    row = OutboxItem(kind=OutboxKind.LEAD_CARD, lead_id=lead_id, attempts=0)
    session.add(row)
    await session.flush()
    return row


async def due_items(session: AsyncSession, now: datetime, limit: int = 20) -> list[OutboxItem]:
    """Undelivered items whose next attempt is due, oldest first."""
    stmt = (
        select(OutboxItem)
        .where(OutboxItem.delivered_at.is_(None), OutboxItem.due_at <= now)
        .order_by(OutboxItem.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def lease_item(session: AsyncSession, lead_id: int, now: datetime, until: datetime) -> bool:
    """Take a lead's undelivered, due card for sending until `until`; False when it is delivered, or another sender has it."""
    stmt = (
        update(OutboxItem)
        .where(_TABLE.c.lead_id == lead_id, _TABLE.c.delivered_at.is_(None), _TABLE.c.due_at <= now)
        .values(due_at=until, attempts=_TABLE.c.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(stmt)).rowcount == 1)  # type: ignore[attr-defined]


async def settle_item(session: AsyncSession, lead_id: int, now: datetime, retry_at: datetime | None) -> None:
    """After an attempt: delivered (retry_at None), or due again at `retry_at`."""
    values = {"delivered_at": now} if retry_at is None else {"due_at": retry_at}
    stmt = update(OutboxItem).where(_TABLE.c.lead_id == lead_id).values(**values).execution_options(synchronize_session=False)
    await session.execute(stmt)


async def attempts_of(session: AsyncSession, lead_id: int) -> int:
    """How many times a lead's card has been tried."""
    row = (await session.execute(select(OutboxItem.attempts).where(OutboxItem.lead_id == lead_id))).scalar_one_or_none()
    return row or 0
