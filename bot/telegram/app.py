"""Wires the python-telegram-bot Application: services, handlers, command menu and polling lifecycle."""

from __future__ import annotations

import asyncio
import logging
import signal
from functools import partial

from telegram import Bot, BotCommand, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.desk.jobs import schedule_desk_jobs, set_admin_menus
from bot.desk.notify import desk_of
from bot.desk.outbox import schedule_outbox
from bot.errors import ConfigError
from bot.ratelimit import ChatRateLimit
from bot.services import Services
from bot.telegram.business_updates import register_business
from bot.telegram.delivery import RetryingLimiter
from bot.telegram.handlers import BotContext, register
from bot.telegram.ordering import BatchedPollRequest, ChatOrderedProcessor
from db.locks import LockSpace

log = logging.getLogger(__name__)

COMMANDS = (
    ("book", "Request a headshot session"),
    ("help", "What I can do"),
    ("cancel", "Stop a booking request"),
    ("privacy", "What I keep about you and why"),
    ("mydata", "See everything I keep about you"),
    ("forget", "Delete everything I keep about you"),
)


class PollingConflict(Exception):
    """Telegram answered 409: another process is polling with the same token."""


def bot_defaults() -> Defaults:
    """What every message the bot sends assumes: HTML, no link previews."""
    return Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))


def build_application(services: Services, token: str, base_url: str, *, webhook: bool = False) -> Application:  # type: ignore[type-arg]
    """The Application with our context type, HTML defaults and every handler (no Updater in webhook mode)."""
    builder = ApplicationBuilder()
    across_workers = webhook and services.locks.across_processes  # one poller, but many webhook workers
    processor = ChatOrderedProcessor(guard=partial(services.locks.hold, LockSpace.CHAT) if across_workers else None)
    polls = BatchedPollRequest(processor)
    builder = builder.updater(None) if webhook else builder.get_updates_request(polls)
    application = (
        builder
        .token(token)
        .base_url(base_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(bot_defaults())
        .rate_limiter(RetryingLimiter())
        .concurrent_updates(processor)
        .post_init(_post_init)
        .build()
    )
    polls.fetched = application.update_queue
    application.bot_data["services"] = services
    application.bot_data["chat_limit"] = ChatRateLimit()
    register_business(application)  # first: a business chat's button shares its chat id with the bot's own chat
    register(application)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await refuse_channel_admin_chats(application.bot, services.settings.admin_chat_ids)  # before the first update
    await services.conversations.adopt_journal()  # rows journaled before they named their bot (revision 0011)
    await services.learned.reload(services.sessionmaker)
    schedule_desk_jobs(application)
    schedule_outbox(application)
    schedule_delivery_jobs(application)
    if application.job_queue is not None:  # menus are a nicety: they need not hold back the first getUpdates
        application.job_queue.run_once(_set_menus_job, 0, name="set-menus")
    else:
        await _set_menus(application)


async def _set_menus_job(context: BotContext) -> None:
    await _set_menus(context.application)


async def _set_menus(application: Application) -> None:  # type: ignore[type-arg]
    # A failure is logged and the bot goes on.
    try:
        await application.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc.__class__.__name__)
    services: Services = application.bot_data["services"]
    await set_admin_menus(application.bot, services.settings.admin_chat_ids, desk_of(application), COMMANDS)


async def refuse_channel_admin_chats(bot: Bot, chat_ids: tuple[int, ...]) -> None:
    """A ConfigError when an admin chat is a channel: its subscribers cannot be told apart, nor can it take replies.

    A chat Telegram will not describe (the bot not added yet, a network hiccup) is logged and let through: the
    desk's buttons and commands still answer only to its people."""
    for chat_id in chat_ids:
        try:
            chat = await bot.get_chat(chat_id)
        except TelegramError as exc:
            log.warning("could not check an admin chat: %s", exc.__class__.__name__, extra={"chat_id": chat_id})
            continue
        if chat.type == ChatType.CHANNEL:
            raise ConfigError(f"ADMIN_CHAT_IDS: {chat_id} is a channel; use a private chat or a group (channels cannot be the desk)")


def schedule_delivery_jobs(application: Application) -> None:  # type: ignore[type-arg]
    """Retry undelivered replies, and purge old logs and delivered journal entries, from the database."""
    from bot.telegram.outbox import RETRY_INTERVAL_SECONDS, purge_old_data, retry_undelivered

    if application.job_queue is None:
        return
    application.job_queue.run_repeating(retry_undelivered, interval=RETRY_INTERVAL_SECONDS, first=1.0, name="retry-undelivered")
    application.job_queue.run_repeating(purge_old_data, interval=3600, first=5.0, name="purge-old-data")


async def serve_polling(application: Application, stop: asyncio.Event, poll_timeout: int = 10) -> None:  # type: ignore[type-arg]
    """Poll until `stop` is set; pending updates are kept, so messages sent while down get answered.

    The long poll's `timeout` is whole seconds: the Bot API field is an Integer, and a float goes out as "10.0",
    which a strict server may read as 0 and answer at once (the bot would then spin)."""
    conflict: list[TelegramError] = []

    def on_poll_error(error: TelegramError) -> None:
        if isinstance(error, Conflict):
            conflict.append(error)
            stop.set()
        else:
            log.warning("polling error: %s", error.__class__.__name__)

    try:
        await application.initialize()
    except InvalidToken:
        raise ConfigError("TELEGRAM_BOT_TOKEN was rejected by Telegram") from None
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            timeout=int(poll_timeout),
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
            error_callback=on_poll_error,
        )
        log.info("polling as @%s", application.bot.username)
        await stop.wait()
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
    if conflict:
        raise PollingConflict("another instance is already polling with this token (Telegram 409 Conflict); stop it first")


async def run_bot(services: Services) -> None:
    """Run the Telegram bot with long polling until SIGINT or SIGTERM."""
    token = services.settings.require_token()
    application = build_application(services, token, services.settings.telegram_api_base_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve_polling(application, stop)
    finally:
        await services.close()
