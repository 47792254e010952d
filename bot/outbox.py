"""Delivering the engine's replies: in order, once, and later if Telegram cannot take them now.

Every update's replies sit in the update journal until delivered. A send that still fails after the rate
limiter's retries stays there and the `retry_undelivered` job sends it, oldest first; meanwhile that chat's
new replies wait behind it so the order holds. A prospect who blocked the bot gets nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.business import is_business_key
from bot.conversation import Outcome
from bot.engine.events import Reply
from db.base import utcnow
from db.journal import prune_journal, undelivered
from db.messages import purge_messages

if TYPE_CHECKING:
    from bot.telegram.context import BotContext

log = logging.getLogger(__name__)
RETRY_INTERVAL_SECONDS = 30.0
RETRY_AFTER = timedelta(seconds=10)
JOURNAL_KEEP = timedelta(days=1)
REPLY_SENDER = "reply_sender"
ReplySender = Callable[..., Awaitable[None]]  # bot.handlers.send_reply: (context, chat_id, reply, version, ...)
SendOne = Callable[[Reply], Awaitable[None]]


async def deliver_outcome(context: BotContext, chat_id: int, outcome: Outcome, send: SendOne) -> None:
    """Send an outcome's replies not delivered yet, and record how far delivery got."""
    waiting: set[int] = context.bot_data.setdefault("undelivered_chats", set())
    if chat_id in waiting and outcome.update_id is not None:
        _retry_soon(context)  # an older reply of this chat is still undelivered: keep the order
        return
    await _send_from(context, chat_id, outcome.update_id, outcome.replies, outcome.first, send)


async def _send_from(
    context: BotContext, chat_id: int, update_id: int | None, replies: Sequence[Reply], first: int, send: SendOne
) -> bool:
    conversations = context.services.conversations
    sent = first
    try:
        for reply in replies[first:]:
            await send(reply)
            sent += 1
    except Forbidden:
        if is_business_key(chat_id):  # the business account's rights, not the prospect's choice
            log.warning("Telegram refused a reply in a business chat; it is dropped")
        else:
            log.info("prospect blocked the bot; nothing more is sent")
            await conversations.set_blocked(chat_id, True)
    except BadRequest as exc:
        log.error("Telegram refused a reply (%s); it is dropped", exc.__class__.__name__)
    except TelegramError as exc:
        log.warning("reply not delivered (%s); kept for a retry", exc.__class__.__name__)
        context.bot_data.setdefault("undelivered_chats", set()).add(chat_id)
        if update_id is not None:
            await conversations.delivered(update_id, sent, done=False)
        _retry_soon(context, RETRY_INTERVAL_SECONDS)
        return False
    if update_id is not None and replies:
        await conversations.delivered(update_id, len(replies), done=True)
    return True


async def retry_undelivered(context: BotContext) -> None:
    """Job: send journaled replies that did not get through, oldest first."""
    send_reply = reply_sender(context)
    await context.services.conversations.deliveries.flush()  # what was delivered a moment ago is not resent
    async with context.services.sessionmaker() as session:
        rows = await undelivered(session, utcnow() - RETRY_AFTER if not context.bot_data.get("undelivered_chats") else utcnow())
    waiting: set[int] = context.bot_data.setdefault("undelivered_chats", set())
    failed: set[int] = set()
    for row in rows:
        if row.chat_id is None or row.chat_id in failed:
            continue
        replies = [Reply.from_json(r) for r in row.replies]
        route = await context.services.business.route(row.chat_id) if is_business_key(row.chat_id) else None
        if is_business_key(row.chat_id) and route is None:
            log.info("business connection may not reply any more; undelivered replies dropped")
            await context.services.conversations.delivered(row.update_id, len(replies), done=True)
            continue
        chat_id = route.chat_id if route is not None else row.chat_id
        connection_id = route.connection_id if route is not None else None

        async def send(reply: Reply, chat_id: int = chat_id, version: int = row.version, connection_id: str | None = connection_id) -> None:
            await send_reply(context, chat_id, reply, version, private=chat_id > 0 and connection_id is None,
                             business_connection_id=connection_id)  # fmt: skip

        if not await _send_from(context, row.chat_id, row.update_id, replies, row.sent_count, send):
            failed.add(row.chat_id)
    waiting.intersection_update(failed)


def reply_sender(context: BotContext) -> ReplySender:
    """The transport's one way to send a reply, handed over by bot.handlers.register: the outbox sits below the
    handlers and never imports them."""
    return context.bot_data[REPLY_SENDER]  # type: ignore[no-any-return]


def _retry_soon(context: BotContext, delay: float = 0.5) -> None:
    if context.job_queue is not None:
        context.job_queue.run_once(retry_undelivered, delay, name="retry-undelivered")


async def purge_old_data(context: BotContext) -> None:
    """Job: delivered journal entries after a day, and message logs after RETENTION_DAYS when it is set."""
    services = context.services
    await services.conversations.deliveries.flush()
    async with services.sessionmaker.begin() as session:
        await prune_journal(session, utcnow() - JOURNAL_KEEP)
        if services.settings.retention_days:
            await purge_messages(session, utcnow() - timedelta(days=services.settings.retention_days))
