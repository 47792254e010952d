"""Telegram Business: when the bot may answer a prospect in the photographer's own chats, and where the answer goes.

A business chat is the prospect's private chat with the photographer's account. Telegram gives it the same chat id
as the prospect's chat with the bot, so its conversation, leads and journal use a key of its own
(`business_key`): intake in one chat never mixes with the other. The bot answers there only while the connection
is enabled and may reply, the desk has not paused the chat, and the photographer has not written in it for
BUSINESS_QUIET_HOURS. Nothing here knows python-telegram-bot; bot.business_updates is the Telegram edge.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.business import get_business_chat, get_connection, save_connection, set_quiet_until, touch_business_chat

log = logging.getLogger(__name__)
BUSINESS_KEY_BASE = 1 << 60  # above every Telegram chat id (at most 52 bits), below BigInteger's limit
BUSINESS_SOURCE = "business"  # a lead's source when it came through the business account


def business_key(chat_id: int) -> int:
    """The key a business chat's conversation, leads and journal are stored under."""
    return BUSINESS_KEY_BASE + chat_id


def is_business_key(key: int | None) -> bool:
    """Whether a stored chat key is a business chat's."""
    return key is not None and key >= BUSINESS_KEY_BASE


class Verdict(str, enum.Enum):
    """What to do with a message in a business chat."""

    ANSWER = "answer"  # a prospect, and the bot may reply
    SILENT = "silent"  # the connection is unknown, off, or may not reply
    LEFT = "left"  # the photographer's: paused by the desk or taken over lately
    TAKEN_OVER = "taken_over"  # the photographer just wrote: quiet from now, and the desk is told
    OWN = "own"  # the photographer wrote again in a chat already theirs


@dataclass(frozen=True)
class Route:
    """Where a business chat's replies go."""

    chat_id: int
    connection_id: str


class BusinessService:
    """The business connections and chats, each change in its own transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], quiet_hours: float) -> None:
        self.sessionmaker = sessionmaker
        self.quiet = timedelta(hours=quiet_hours)

    async def record_connection(self, connection_id: str, user_id: int, can_reply: bool, enabled: bool) -> None:
        """A connection made, changed or revoked: keep how Telegram last described it."""
        async with self.sessionmaker.begin() as session:
            await save_connection(session, connection_id, user_id, can_reply, enabled)
        log.info("business connection recorded (enabled=%s, can_reply=%s)", enabled, can_reply)

    async def admit(self, connection_id: str, chat_id: int, sender_id: int | None, at: datetime) -> Verdict:
        """Decide on one message in a business chat; a message of the photographer's own starts their quiet time."""
        key = business_key(chat_id)
        async with self.sessionmaker.begin() as session:
            connection = await get_connection(session, connection_id)
            if connection is None:
                return Verdict.SILENT
            chat = await touch_business_chat(session, key, chat_id, connection_id)
            if sender_id == connection.user_id:
                was_quiet = chat.quiet_until is not None and chat.quiet_until > at
                await set_quiet_until(session, key, at + self.quiet)
                return Verdict.OWN if was_quiet or chat.paused else Verdict.TAKEN_OVER
            if not (connection.enabled and connection.can_reply):
                return Verdict.SILENT
            if chat.paused or (chat.quiet_until is not None and chat.quiet_until > at):
                return Verdict.LEFT
            return Verdict.ANSWER

    async def route(self, key: int) -> Route | None:
        """Where a business chat's replies go, or None while its connection may not reply."""
        async with self.sessionmaker() as session:
            chat = await get_business_chat(session, key)
            connection = await get_connection(session, chat.connection_id) if chat is not None else None
        if chat is None or connection is None or not (connection.enabled and connection.can_reply):
            return None
        return Route(chat.chat_id, connection.connection_id)
