"""Registers the desk: its commands, buttons and replies, for the chats in ADMIN_CHAT_IDS only.

Added before the prospect's handlers, so in an admin chat the desk's commands win; anywhere else they are not
matched at all and fall through to the prospect's handlers like any unknown command or button."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.desk.buttons import on_admin_reply, on_desk_button
from bot.desk.cards import CALLBACK_PREFIX
from bot.desk.commands import on_export, on_find, on_lead, on_leads, on_learned, on_stats
from bot.desk.notify import install_desk
from bot.handlers import BotContext
from bot.services import Services

COMMANDS: dict[str, Callable[[Update, BotContext], Awaitable[None]]] = {
    "leads": on_leads,
    "lead": on_lead,
    "find": on_find,
    "export": on_export,
    "stats": on_stats,
    "learned": on_learned,
}


class AdminButtons(CallbackQueryHandler):  # type: ignore[type-arg]
    """Desk buttons, taken only on messages in admin chats; a forged tap anywhere else is left to the prospect's handler."""

    def __init__(self, callback: Callable[[Update, BotContext], Awaitable[None]], admin_chat_ids: tuple[int, ...]) -> None:
        super().__init__(callback, pattern=f"^{re.escape(CALLBACK_PREFIX)}")
        self.admin_chat_ids = frozenset(admin_chat_ids)

    def check_update(self, update: object) -> bool | object | None:
        """Ours when the button is on a message in an admin chat and its data is a desk action."""
        if not isinstance(update, Update) or update.effective_chat is None or update.effective_chat.id not in self.admin_chat_ids:
            return None
        return super().check_update(update)


def once(callback: Callable[[Update, BotContext], Awaitable[None]]) -> Callable[[Update, BotContext], Awaitable[None]]:
    """Run a desk action at most once per update: a redelivered update (webhook retry, re-fetch) does nothing."""

    async def guarded(update: Update, context: BotContext) -> None:
        chat_id = update.effective_chat.id if update.effective_chat else None
        if await context.services.conversations.claim(update.update_id, chat_id):
            await callback(update, context)

    return guarded


def register_desk(application: Application) -> None:  # type: ignore[type-arg]
    """Install the desk's wording, and its handlers when admin chats are configured."""
    install_desk(application)
    services: Services = application.bot_data["services"]
    admin_chat_ids = services.settings.admin_chat_ids
    if not admin_chat_ids:
        return
    admin = filters.Chat(chat_id=admin_chat_ids) & filters.UpdateType.MESSAGE
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, once(callback), filters=admin))
    application.add_handler(MessageHandler(admin & filters.TEXT & filters.REPLY & ~filters.COMMAND, once(on_admin_reply)))
    application.add_handler(AdminButtons(once(on_desk_button), admin_chat_ids))
