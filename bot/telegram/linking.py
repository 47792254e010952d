"""`/join CODE` without ADMIN_CHAT_IDS: the Telegram side of linking the photographer's own account as the desk.

The chats this links, and the settings they make, are bot.linking's; here the command is taken (before the desk's
own /join) and, once an invitation is redeemed, the event is set that restarts the Application in-process
(bot.telegram.polling), so the desk's handlers and cards include the new chat at once.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, filters

from bot.desk.commands import actor_of, claim_of, say, service
from bot.desk.notify import desk_of
from bot.desk.service import Redemption
from bot.logs import bind
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)
LINKED_KEY = "desk_linked"  # bot_data: the event a redeemed invitation sets, asking for a restart


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
