"""Telegram handlers: translate an Update into an engine event, and the engine's replies into Bot API calls."""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ExtBot

from bot.business import Route, business_key
from bot.conversation import AdminNotice, Outcome, SavedLead
from bot.desk.handlers import register_desk
from bot.desk.notify import desk_sender, organiser_of
from bot.desk.outbox import deliver_due, deliver_lead_card
from bot.engine.events import ButtonPress, Command, ContactShared, Event, Incoming, Media, Reply, Sender, Text
from bot.engine.prompts import fill_msg
from bot.engine.render import my_data_summary
from bot.engine.vocabulary import NoticeKind
from bot.logs import bind
from bot.telegram.context import BotContext
from bot.telegram.outbox import REPLY_SENDER, BeforeCall, deliver_outcome, delivering

log = logging.getLogger(__name__)
# Set by the error handler; webhook mode answers 500 for a failed update so Telegram delivers it again.
update_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("update_failed", default=False)
MEDIA_KINDS = ("sticker", "photo", "voice", "video", "video_note", "audio", "document", "animation", "location", "venue", "poll", "dice")


def encode_button(version: int, action: str, value: str) -> str:
    """Callback data: the state version the button was offered at, then what it does."""
    return f"{version}|{action}|{value}"[:64]


def decode_button(data: str | None) -> ButtonPress | None:
    """The button press in callback data, or None when it is not ours."""
    parts = (data or "").split("|")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return ButtonPress(parts[1], parts[2], int(parts[0]))


def _sender(user: User | None) -> Sender:
    if user is None:
        return Sender()
    return Sender(user.id, user.first_name, user.last_name, user.username, user.language_code)


def _markup(reply: Reply, version: int) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if reply.buttons:
        rows = [[InlineKeyboardButton(b.label, callback_data=encode_button(version, b.action, b.value)) for b in row] for row in reply.buttons]
        return InlineKeyboardMarkup(rows)
    if reply.request_contact:
        button = KeyboardButton(reply.request_contact, request_contact=True)
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


async def send_reply(context: BotContext, chat_id: int, reply: Reply, version: int, private: bool = True,
                     business_connection_id: str | None = None, before_call: BeforeCall | None = None) -> None:  # fmt: skip
    """Send one reply (on the business account's behalf when given its connection); with a model configured, a pack
    answer is phrased (and streamed, in the bot's own private chats) first. `before_call` runs just before the
    Bot API call (the journal counts the reply there)."""
    phrasing = context.services.phrasing
    text = reply.text
    if phrasing is not None and reply.question:
        logged_as = business_key(chat_id) if business_connection_id is not None else chat_id
        text = await phrasing.finish(logged_as, reply, _draft_sender(context.bot, chat_id) if private else None)
    markup = _markup(reply, version)
    if before_call is not None:
        await before_call()
    await context.bot.send_message(chat_id, text, reply_markup=markup, business_connection_id=business_connection_id)


def _draft_sender(bot: ExtBot[None], chat_id: int) -> Callable[[str], Awaitable[None]]:
    """Streams a partial answer with sendMessageDraft; a draft is a nicety, so the first failure stops drafts."""
    draft_id = secrets.randbelow(2**31 - 1) + 1
    failed = False

    async def send(text: str) -> None:
        nonlocal failed
        if failed:
            return
        try:
            await bot.send_message_draft(chat_id, draft_id, text)
        except TelegramError as exc:
            failed = True
            log.warning("draft not shown: %s", exc.__class__.__name__)

    return send


async def run_event(update: Update, context: BotContext, event: Event, route: Route | None = None) -> Outcome | None:
    """Apply an event to the update's chat and deliver the outcome; with a route, to the business chat it names."""
    chat = update.effective_chat
    if chat is None:
        return None
    key = business_key(chat.id) if route is not None else chat.id
    at = update.effective_message.date if update.effective_message else datetime.now(UTC)
    incoming = Incoming(key, _sender(update.effective_user), event, at or datetime.now(UTC), update.update_id)
    connection_id = route.connection_id if route is not None else None
    with delivering(context, update.update_id) as mine:  # else the retry job is sending this redelivered update's replies
        outcome = await context.services.conversations.handle(incoming)

        async def send(reply: Reply, before_call: BeforeCall) -> None:
            private = chat.type == "private" and route is None
            await send_reply(context, chat.id, reply, outcome.version, private, connection_id, before_call)

        if mine:  # the first reply right after the commit that counts it as handed over: nothing in between
            await deliver_outcome(context, key, outcome, send)
    if isinstance(event, ButtonPress) and update.callback_query is not None:
        await answer_query(update.callback_query, outcome.notice)
    if outcome.duplicate:
        return outcome
    if outcome.lead is not None:
        await in_background(context, notify_admins(context, outcome.lead), f"notify-lead-{outcome.lead.id}")
    if outcome.my_data is not None:
        await send_my_data(context, chat.id, outcome.my_data, connection_id)
    for notice in outcome.admin_notices:
        await in_background(context, notify_admins(context, notice), f"notify-{notice.kind}")
    return outcome


async def in_background(context: BotContext, work: Coroutine[Any, Any, None], name: str) -> None:
    """Admin notifications must not delay the prospect's reply; while shutting down, finish them in line."""
    if context.application.running:
        context.application.create_task(work, name=name)
    else:
        await work


async def send_my_data(context: BotContext, chat_id: int, data: dict[str, Any], business_connection_id: str | None = None) -> None:
    """The prospect's data: a readable summary, and the complete record as a JSON file."""
    summary = my_data_summary(data, context.services.content)
    await context.bot.send_message(chat_id, summary, business_connection_id=business_connection_id)
    document = json.dumps(data, indent=2, ensure_ascii=False).encode()
    await context.bot.send_document(chat_id, document=document, filename="my-data.json", business_connection_id=business_connection_id)


async def answer_query(query: CallbackQuery, notice: str | None) -> None:
    """Acknowledge a button tap, with a notice when there is one."""
    try:
        await query.answer(text=notice)
    except TelegramError as exc:
        # An old query cannot be answered any more; the tap itself was still handled.
        log.warning("could not answer callback query: %s", exc.__class__.__name__)


async def notify_admins(context: BotContext, item: SavedLead | AdminNotice) -> None:
    """Send a lead card or a notice, with their buttons, to every admin chat; one failing chat does not stop the others."""
    desk = desk_sender(context.application, context.bot)
    if isinstance(item, AdminNotice):
        if item.kind is NoticeKind.FORGOTTEN:  # no answer learned from them is used once the photographer is told
            await context.services.learned.reload(context.services.sessionmaker)
        await desk.post_notice(item)
        if item.kind is NoticeKind.FORGOTTEN:  # their desk messages owe an edit now
            await deliver_due(context.application)
    else:
        await deliver_lead_card(desk, organiser_of(context.application), item.id)  # else the outbox job retries


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """A prospect blocked or unblocked the bot: stop or resume sending to them."""
    member = update.my_chat_member
    if member is None or member.chat.type != "private":
        return
    blocked = member.new_chat_member.status in ("kicked", "left")
    await context.services.conversations.set_blocked(member.chat.id, blocked)
    log.info("prospect %s the bot", "blocked" if blocked else "unblocked")


async def bind_update(update: object, context: BotContext) -> None:
    """Runs first for every update: binds its ids to the log lines and stops a flooding chat."""
    if not isinstance(update, Update):
        return
    chat = update.effective_chat
    bind(update.update_id, chat.id if chat else None)
    log.info("update received")
    if chat is None or chat.type != "private":
        return
    business = update.business_message is not None or update.edited_business_message is not None
    verdict = context.bot_data["chat_limit"].hit(business_key(chat.id) if business else chat.id)
    if verdict.allowed:
        return
    log.warning("chat over its rate limit; update dropped")
    if business:
        raise ApplicationHandlerStop  # no "slow down" in the photographer's name
    if update.callback_query is not None:
        await answer_query(update.callback_query, None)
    if verdict.notify:
        await context.bot.send_message(chat.id, fill_msg(context.services.content, "slow_down"))
    raise ApplicationHandlerStop


async def on_command(update: Update, context: BotContext) -> None:
    """A /command in a private chat: /start PAYLOAD, /book, /cancel, /help, or an unknown one."""
    text = update.effective_message.text or "" if update.effective_message else ""
    word, _, args = text.partition(" ")
    name = word.lstrip("/").split("@", 1)[0]
    await run_event(update, context, Command(name, args.strip()))


async def on_text(update: Update, context: BotContext) -> None:
    """A typed message in a private chat."""
    assert update.effective_message is not None
    await run_event(update, context, Text(update.effective_message.text or ""))


async def on_contact(update: Update, context: BotContext) -> None:
    """A phone number shared with the contact button."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    own = message.contact.user_id is not None and update.effective_user is not None and message.contact.user_id == update.effective_user.id
    await run_event(update, context, ContactShared(message.contact.phone_number, own))


async def on_button(update: Update, context: BotContext) -> None:
    """An inline button tap; forged or foreign data is acknowledged and ignored."""
    query = update.callback_query
    assert query is not None
    press = decode_button(query.data)
    if press is None or update.effective_chat is None or update.effective_chat.type != "private":
        await answer_query(query, fill_msg(context.services.content, "stale_button"))
        return
    await run_event(update, context, press)


async def on_media(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice notes…: one polite line, nothing changes."""
    message = update.effective_message
    kind = next((k for k in MEDIA_KINDS if message is not None and getattr(message, k, None)), "other")
    await run_event(update, context, Media(kind))


async def on_edited(update: Update, context: BotContext) -> None:
    """An edited message: the engine keeps what was first sent, and says so."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, fill_msg(context.services.content, "edited_reply"))


async def on_group(update: Update, context: BotContext) -> None:
    """A command in a group: invite the person to a private chat instead of taking details in public."""
    assert update.effective_chat is not None
    text = fill_msg(context.services.content, "group_reply", bot_username=context.bot.username)
    await context.bot.send_message(update.effective_chat.id, text)


async def on_error(update: object, context: BotContext) -> None:
    """The one error handler: log with the traceback, tell the person politely."""
    update_failed.set(True)  # in webhook mode the request then answers 500 and Telegram redelivers
    log.error("update failed", exc_info=context.error)
    business = isinstance(update, Update) and (update.business_message or update.edited_business_message) is not None
    if isinstance(update, Update) and update.effective_chat is not None and update.effective_chat.type == "private" and not business:
        try:
            await context.bot.send_message(update.effective_chat.id, fill_msg(context.services.content, "error"))
        except TelegramError:
            log.warning("could not send the apology either")


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Attach every handler; kept here so bot.telegram.app only wires services and lifecycle."""
    from telegram.ext import CallbackQueryHandler, ChatMemberHandler, MessageHandler, TypeHandler, filters

    private = filters.ChatType.PRIVATE
    new = filters.UpdateType.MESSAGE
    application.bot_data[REPLY_SENDER] = send_reply  # the outbox's retries send through it (see bot.telegram.outbox)
    application.add_handler(TypeHandler(Update, bind_update), group=-1)
    register_desk(application)  # admin chats' commands first, so they win there and nowhere else
    application.add_handler(MessageHandler(private & new & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(private & new & filters.CONTACT, on_contact))
    application.add_handler(MessageHandler(private & new & filters.TEXT, on_text))
    application.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, on_edited))
    application.add_handler(MessageHandler(private & new & ~filters.StatusUpdate.ALL, on_media))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & new & filters.COMMAND, on_group))
    application.add_error_handler(on_error)
