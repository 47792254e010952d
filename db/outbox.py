"""The desk's outbox: messages owed to the admin chats, written with what they announce, leased while sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.vocabulary import OutboxKind
from db.base import rowcount, table_of
from db.models import OutboxItem

_TABLE = table_of(OutboxItem)


async def owe_lead_card(session: AsyncSession, lead_id: int) -> OutboxItem:
    """Owe the admin chats a new lead's card; call it in the transaction that saves the lead."""
    row = OutboxItem(kind=OutboxKind.LEAD_CARD, lead_id=lead_id, attempts=0)
    session.add(row)
    await session.flush()
    return row


async def owe_redactions(session: AsyncSession, messages: Sequence[tuple[int, int]]) -> None:
    """Owe an edit of these admin-chat messages (chat id, message id) to a line naming nobody; call it in the
    transaction that forgets what they were about."""
    session.add_all(OutboxItem(kind=OutboxKind.REDACTION, chat_id=chat_id, message_id=message_id, attempts=0)
                    for chat_id, message_id in messages)  # fmt: skip
    await session.flush()


async def owe_relay(
    session: AsyncSession, kind: OutboxKind, prospect_chat_id: int, lead_id: int | None, payload: dict[str, Any]
) -> OutboxItem:
    """Owe a prospect the photographer's words (a relay or a follow-up); call it in the transaction that claims the
    desk action, so a crash before the send cannot lose them."""
    row = OutboxItem(kind=kind, chat_id=prospect_chat_id, lead_id=lead_id, payload=payload, attempts=0)
    session.add(row)
    await session.flush()
    return row


async def hand_over_item(session: AsyncSession, item_id: int, now: datetime) -> OutboxItem | None:
    """Mark an undelivered, due item delivered before its one Bot API call (at most once: a crash during the call
    cannot send it again); None when it is delivered, gone, or not due."""
    stmt = (
        update(OutboxItem)
        .where(_TABLE.c.id == item_id, _TABLE.c.delivered_at.is_(None), _TABLE.c.due_at <= now)
        .values(delivered_at=now, attempts=_TABLE.c.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if rowcount(await session.execute(stmt)) != 1:
        return None
    return await session.get(OutboxItem, item_id, populate_existing=True)


async def give_back_item(session: AsyncSession, item_id: int, retry_at: datetime) -> None:
    """A handed-over item that Telegram did not take: due again at `retry_at`."""
    stmt = update(OutboxItem).where(_TABLE.c.id == item_id).values(delivered_at=None, due_at=retry_at)
    await session.execute(stmt.execution_options(synchronize_session=False))


async def card_item_id(session: AsyncSession, lead_id: int) -> int | None:
    """The outbox item of a lead's card, if it is owed (or was)."""
    stmt = select(OutboxItem.id).where(OutboxItem.lead_id == lead_id, OutboxItem.kind == OutboxKind.LEAD_CARD)
    return (await session.execute(stmt.order_by(OutboxItem.id).limit(1))).scalar_one_or_none()


async def due_items(session: AsyncSession, now: datetime, limit: int = 20) -> list[OutboxItem]:
    """Undelivered items whose next attempt is due, oldest first."""
    stmt = (
        select(OutboxItem)
        .where(OutboxItem.delivered_at.is_(None), OutboxItem.due_at <= now)
        .order_by(OutboxItem.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def lease_item(session: AsyncSession, item_id: int, now: datetime, until: datetime) -> bool:
    """Take an undelivered, due item for sending until `until`; False when it is delivered, gone, or another sender has it."""
    stmt = (
        update(OutboxItem)
        .where(_TABLE.c.id == item_id, _TABLE.c.delivered_at.is_(None), _TABLE.c.due_at <= now)
        .values(due_at=until, attempts=_TABLE.c.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return rowcount(await session.execute(stmt)) == 1


async def settle_item(session: AsyncSession, item_id: int, now: datetime, retry_at: datetime | None) -> None:
    """After an attempt: delivered (retry_at None), or due again at `retry_at`."""
    values = {"delivered_at": now} if retry_at is None else {"due_at": retry_at}
    stmt = update(OutboxItem).where(_TABLE.c.id == item_id).values(**values).execution_options(synchronize_session=False)
    await session.execute(stmt)


async def attempts_of(session: AsyncSession, item_id: int) -> int:
    """How many times an item has been tried."""
    row = (await session.execute(select(OutboxItem.attempts).where(OutboxItem.id == item_id))).scalar_one_or_none()
    return row or 0


async def forget_items(session: AsyncSession, lead_ids: Sequence[int], prospect_chat_id: int) -> None:
    """Delete the items about these leads or for this prospect's chat (for /forget; the foreign key's CASCADE would
    delete the first, made explicit)."""
    to_them = (OutboxItem.chat_id == prospect_chat_id) & OutboxItem.kind.in_((OutboxKind.RELAY, OutboxKind.FOLLOW_UP))
    await session.execute(delete(OutboxItem).where(OutboxItem.lead_id.in_(lead_ids) | to_them))
