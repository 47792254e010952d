"""Registers the desk: its commands, buttons and replies for the chats in ADMIN_CHAT_IDS, and /join in private chats.

Added before the prospect's handlers, so in an admin chat the desk's commands win; anywhere else they are not
matched at all and fall through to the prospect's handlers like any unknown command or button. In an admin chat
the desk still answers only to its people: every action goes through the desk's core (bot.desk.service), which
checks the sender and claims the update with the action's work; a sender who is not one of them is refused here
first, before any handler runs, so no handler can forget the check."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.desk.buttons import on_admin_reply, on_desk_button
from bot.desk.callbacks import PREFIX
from bot.desk.cards import as_plain
from bot.desk.commands import (
    actor_of,
    claim_of,
    on_export,
    on_find,
    on_lead,
    on_leads,
    on_learned,
    on_pause,
    on_resume,
    on_stats,
    say,
    service,
)
from bot.desk.notify import desk_of, install_desk
from bot.desk.service import AlreadyDone, DeskRefused, Redemption
from bot.services import Services
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)
Callback = Callable[[Update, BotContext], Awaitable[None]]
COMMANDS: dict[str, Callback] = {
    "leads": on_leads,
    "lead": on_lead,
    "find": on_find,
    "export": on_export,
    "stats": on_stats,
    "learned": on_learned,
    "pause": on_pause,
    "resume": on_resume,
}


class AdminButtons(CallbackQueryHandler):  # type: ignore[type-arg]
    """Desk buttons, taken only on messages in admin chats; a forged tap anywhere else is left to the prospect's handler."""

    def __init__(self, callback: Callback, admin_chat_ids: tuple[int, ...]) -> None:
        super().__init__(callback, pattern=f"^{re.escape(PREFIX)}")
        self.admin_chat_ids = frozenset(admin_chat_ids)

    def check_update(self, update: object) -> bool | object | None:
        """Ours when the button is on a message in an admin chat and its data is a desk action."""
        if not isinstance(update, Update) or update.effective_chat is None or update.effective_chat.id not in self.admin_chat_ids:
            return None
        return super().check_update(update)


def desk_action(callback: Callback) -> Callback:
    """Run a desk action for one of the desk's people only, and at most once per update (the core claims it)."""

    async def guarded(update: Update, context: BotContext) -> None:
        try:
            await service(context).check(actor_of(update))
            await callback(update, context)
        except DeskRefused:
            log.warning("desk action refused: not one of the desk's people")
            await _refuse(update, context)
        except AlreadyDone:  # its first delivery answered the tap already
            log.info("redelivered desk update ignored")

    return guarded


async def _refuse(update: Update, context: BotContext) -> None:
    desk = desk_of(context.application)
    line = desk.line(desk.text.people.refused)
    if update.callback_query is not None:
        await update.callback_query.answer(text=as_plain(line))
    else:
        await say(update, context, line)


async def on_join(update: Update, context: BotContext) -> None:
    """/join CODE in a private chat: an assistant redeems the invitation the photographer gave them."""
    desk, user = desk_of(context.application), update.effective_user
    code = " ".join(context.args or []).strip()
    if user is None or not code:
        await say(update, context, desk.line(desk.text.people.join_usage))
        return
    outcome = await service(context).redeem(user.id, actor_of(update).name, code, claim_of(update))
    if outcome is Redemption.JOINED:
        log.info("assistant joined the desk")
    people = desk.text.people
    line = {Redemption.JOINED: people.joined, Redemption.ALREADY_JOINED: people.already, Redemption.INVALID: people.invalid}
    await say(update, context, desk.line(line[outcome]))


def register_desk(application: Application) -> None:  # type: ignore[type-arg]
    """Install the desk's wording, and its handlers when admin chats are configured."""
    install_desk(application)
    services: Services = application.bot_data["services"]
    admin_chat_ids = services.settings.admin_chat_ids
    if not admin_chat_ids:
        return
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("join", on_join, filters=private & ~filters.Chat(chat_id=admin_chat_ids)))
    admin = filters.Chat(chat_id=admin_chat_ids) & filters.UpdateType.MESSAGE
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, desk_action(callback), filters=admin))
    application.add_handler(MessageHandler(admin & filters.TEXT & filters.REPLY & ~filters.COMMAND, desk_action(on_admin_reply)))
    application.add_handler(AdminButtons(desk_action(on_desk_button), admin_chat_ids))
