"""The photographer's own Telegram account as the desk, with no chat id to look up.

With ADMIN_CHAT_IDS set, those chats are the desk and nothing here applies. Without it, the desk is the private
chat of each person who redeemed a desk invitation and was not revoked (a private chat's id is its person's user
id): `init` prints the first invitation, the photographer sends `/join CODE` to the bot (bot.telegram.linking takes
it), and the lead cards come to that chat. The linked chats are read whenever the bot starts.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from db.people import list_assistants


async def linked_chats(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[int, ...]:
    """The private chats of the desk's current assistants, in the order they joined."""
    async with sessionmaker() as session:
        return tuple(row.user_id for row in await list_assistants(session) if row.revoked_at is None)


async def with_desk_chats(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> Settings:
    """The settings with the linked people's private chats as the desk, when ADMIN_CHAT_IDS names none."""
    if settings.admin_chat_ids:
        return settings
    chats = await linked_chats(sessionmaker)
    return settings.model_copy(update={"admin_chat_ids": chats}) if chats else settings
