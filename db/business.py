"""Telegram Business rows: the photographer's connections, and each prospect's chat through one (see bot.business)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models import BusinessChat, BusinessConnection


async def save_connection(session: AsyncSession, connection_id: str, user_id: int, can_reply: bool, enabled: bool) -> BusinessConnection:
    """Create or update a connection as Telegram last described it."""
    row = await session.get(BusinessConnection, connection_id)
    if row is None:
        row = BusinessConnection(connection_id=connection_id, user_id=user_id, can_reply=can_reply, enabled=enabled)
        session.add(row)
    else:
        row.user_id, row.can_reply, row.enabled, row.updated_at = user_id, can_reply, enabled, utcnow()
    await session.flush()
    return row


async def get_connection(session: AsyncSession, connection_id: str) -> BusinessConnection | None:
    """A connection by its id, as last recorded."""
    return await session.get(BusinessConnection, connection_id)


async def get_business_chat(session: AsyncSession, chat_key: int) -> BusinessChat | None:
    """A business chat by its key."""
    return await session.get(BusinessChat, chat_key)


async def touch_business_chat(session: AsyncSession, chat_key: int, chat_id: int, connection_id: str) -> BusinessChat:
    """The business chat's row, created on its first message; the connection it last came through is kept."""
    row = await session.get(BusinessChat, chat_key)
    if row is None:
        row = BusinessChat(chat_key=chat_key, chat_id=chat_id, connection_id=connection_id, paused=False)
        session.add(row)
    elif row.connection_id != connection_id:
        row.connection_id = connection_id
    await session.flush()
    return row


async def set_quiet_until(session: AsyncSession, chat_key: int, until: datetime | None) -> None:
    """Leave the chat to the photographer until then (None: no longer)."""
    await session.execute(update(BusinessChat).where(BusinessChat.chat_key == chat_key).values(quiet_until=until, updated_at=utcnow()))


async def set_paused(session: AsyncSession, chat_id: int, paused: bool) -> int:
    """Pause or resume the bot in every business chat with this Telegram chat; how many there are. Resuming also ends
    a take-over's quiet time."""
    values: dict[str, object] = {"paused": paused, "updated_at": utcnow()}
    if not paused:
        values["quiet_until"] = None
    result = await session.execute(update(BusinessChat).where(BusinessChat.chat_id == chat_id).values(**values))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def business_chats_of(session: AsyncSession, chat_id: int) -> list[BusinessChat]:
    """The business chats with this Telegram chat (one per connection it wrote through)."""
    return list((await session.execute(select(BusinessChat).where(BusinessChat.chat_id == chat_id))).scalars())
