"""The photographer's own Telegram account as the desk, with no chat id to look up.

With ADMIN_CHAT_IDS set, those chats are the desk and nothing here applies. Without it, the desk is the private
chat of each person who redeemed a desk invitation and was not revoked (a private chat's id is its person's user
id): `init` prints the first invitation, the photographer sends `/join CODE` to the bot, and the lead cards come to
that chat. The linked chats are read whenever the bot starts, and without ADMIN_CHAT_IDS a `/join` is taken here
(before the desk's own /join) and, once redeemed, restarts the Application in-process, so the desk's handlers and
cards include the new chat at once.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, filters

from bot.desk.commands import actor_of, claim_of, say, service
from bot.desk.notify import desk_of
from bot.desk.service import Redemption
from bot.logs import bind
from bot.settings import Settings
from bot.telegram.context import BotContext
from db.people import list_assistants

log = logging.getLogger(__name__)
LINKED_KEY = "desk_linked"  # bot_data: the event a redeemed invitation sets, asking for a restart


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


def install_linking(application: Application, linked: asyncio.Event) -> None:  # type: ignore[type-arg]
    """Without ADMIN_CHAT_IDS: /join CODE in a private chat redeems an invitation, then `linked` is set."""
    application.bot_data[LINKED_KEY] = linked
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    # Group -2: before bind_update's group -1 and the prospect's handlers in group 0, which would take the command.
    application.add_handler(CommandHandler("join", on_link, filters=private), group=-2)


async def on_link(update: Update, context: BotContext) -> None:
    """/join CODE without ADMIN_CHAT_IDS: the photographer (or whoever holds the code) gets a desk chat of their own."""
    bind(update.update_id, update.effective_chat.id if update.effective_chat else None)
    desk, code = desk_of(context.application), " ".join(context.args or []).strip()
    people = desk.text.people
    if update.effective_user is None or not code:
        await say(update, context, desk.line(people.join_usage))
        raise ApplicationHandlerStop
    outcome = await service(context).redeem(update.effective_user.id, actor_of(update).name, code, claim_of(update))
    lines = {Redemption.JOINED: people.joined, Redemption.ALREADY_JOINED: people.already, Redemption.INVALID: people.invalid}
    await say(update, context, desk.line(lines[outcome]))
    if outcome is Redemption.JOINED:
        log.info("desk linked to a private chat: restarting with it as the desk")
        context.application.bot_data[LINKED_KEY].set()
    raise ApplicationHandlerStop
