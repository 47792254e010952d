"""Telegram Business updates: connections recorded, prospects' messages in the photographer's chats answered by the
engine on the account's behalf, and the photographer's own messages handing the chat back to them (bot.business)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Message, Update
from telegram.ext import Application, BusinessConnectionHandler, CallbackQueryHandler, MessageHandler, filters

from bot.business import Route, Verdict, business_key
from bot.conversation import AdminNotice
from bot.desk.notify import desk_of
from bot.engine.events import Command, ContactShared, Event, Media, Text
from bot.engine.vocabulary import NoticeKind
from bot.telegram.handlers import MEDIA_KINDS, BotContext, answer_query, decode_button, in_background, notify_admins, run_event

log = logging.getLogger(__name__)


async def on_business_connection(update: Update, context: BotContext) -> None:
    """The photographer connected the bot to their business account, changed its rights, or disconnected it."""
    connection = update.business_connection
    assert connection is not None
    # Bot API 9.0 moved can_reply into rights; an older server still sends it at the top level.
    can_reply = bool(connection.rights.can_reply if connection.rights else connection.api_kwargs.get("can_reply"))
    await context.services.business.record_connection(connection.id, connection.user.id, can_reply, connection.is_enabled)


def event_of(message: Message) -> Event:
    """A business chat's message as an engine event: a /command, a shared contact, text, or media."""
    if message.contact is not None:
        own = message.contact.user_id is not None and message.from_user is not None and message.contact.user_id == message.from_user.id
        return ContactShared(message.contact.phone_number, own)
    text = message.text or ""
    if text.startswith("/") and message.entities and message.entities[0].type == "bot_command":
        word, _, args = text.partition(" ")
        return Command(word.lstrip("/").split("@", 1)[0], args.strip())
    if message.text is not None:
        return Text(text)
    return Media(next((k for k in MEDIA_KINDS if getattr(message, k, None)), "other"))


async def on_business_message(update: Update, context: BotContext) -> None:
    """A message in one of the photographer's chats: answered for a prospect when the bot may, else left alone."""
    message = update.business_message
    if message is None or message.business_connection_id is None or message.chat.type != "private":
        return
    if message.sender_business_bot is not None:
        return  # sent on the account's behalf by a bot (this one's own replies): nobody wrote
    connection_id, chat_id = message.business_connection_id, message.chat.id
    sender = message.from_user.id if message.from_user else None
    verdict = await context.services.business.admit(connection_id, chat_id, sender, message.date)
    log.info("business message: %s", verdict.value)
    if verdict is Verdict.TAKEN_OVER:
        await in_background(context, notify_admins(context, taken_over_notice(context, chat_id)), "notify-taken-over")
    if verdict is Verdict.ANSWER:
        await run_event(update, context, event_of(message), Route(chat_id, connection_id))


def taken_over_notice(context: BotContext, chat_id: int) -> AdminNotice:
    """The desk's one line when the photographer starts writing in a business chat themselves."""
    desk = desk_of(context.application)
    hours = f"{context.services.settings.business_quiet_hours:g}"
    rendered = desk.line(desk.text.business.taken_over, chat_id=chat_id, hours=hours)
    return AdminNotice(NoticeKind.TAKEN_OVER, business_key(chat_id), "", rendered=rendered)


async def on_business_button(update: Update, context: BotContext) -> None:
    """A tap on a button the bot sent in a business chat, answered like any of the prospect's messages there."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message) and query.message.business_connection_id is not None
    press, chat_id = decode_button(query.data), query.message.chat.id
    connection_id = query.message.business_connection_id
    verdict = await context.services.business.admit(connection_id, chat_id, query.from_user.id, datetime.now(UTC))
    if press is None or verdict is not Verdict.ANSWER:
        await answer_query(query, None)
        return
    await run_event(update, context, press, Route(chat_id, connection_id))


class BusinessButtons(CallbackQueryHandler):  # type: ignore[type-arg]
    """Taps on the bot's messages in business chats, which share their chat id with the prospect's chat with the bot."""

    def check_update(self, update: object) -> bool | object | None:
        """Ours when the tapped message belongs to a business connection."""
        if not isinstance(update, Update) or update.callback_query is None:
            return None
        message = update.callback_query.message
        return isinstance(message, Message) and message.business_connection_id is not None


def register_business(application: Application) -> None:  # type: ignore[type-arg]
    """Attach the business handlers; the buttons' before the prospect's own button handler."""
    application.add_handler(BusinessConnectionHandler(on_business_connection))
    application.add_handler(MessageHandler(filters.UpdateType.BUSINESS_MESSAGE, on_business_message))
    application.add_handler(BusinessButtons(on_business_button))
