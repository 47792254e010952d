"""Delivering the engine's replies: in order, once, and later if Telegram cannot take them now.

Every update's replies sit in the update journal, each counted as handed over in a commit before its Bot API
call (db.journal), so a crash never makes the bot send one twice. A send that still fails after the rate
limiter's retries is given back and the `retry_undelivered` job sends it, oldest first; meanwhile that chat's
new replies wait behind it so the order holds. A prospect who blocked the bot gets nothing more.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.business import is_business_key
from bot.conversation import Outcome
from bot.engine.events import Reply
from db.base import utcnow
from db.journal import find_update, prune_journal, undelivered
from db.messages import purge_messages

if TYPE_CHECKING:
    from bot.telegram.context import BotContext

log = logging.getLogger(__name__)
RETRY_INTERVAL_SECONDS = 30.0
RETRY_AFTER = timedelta(seconds=10)
JOURNAL_KEEP = timedelta(days=1)
BeforeCall = Callable[[], Awaitable[None]]
REPLY_SENDER = "reply_sender"
ReplySender = Callable[..., Awaitable[None]]  # bot.telegram.handlers.send_reply: (context, chat_id, reply, version, ...)
SendOne = Callable[[Reply, BeforeCall], Awaitable[None]]  # awaits BeforeCall right before its Bot API call


@contextlib.contextmanager
def delivering(context: BotContext, update_id: int) -> Iterator[bool]:
    """Own an update's replies from its decision to their delivery, so the retry job leaves them alone (the decision's
    commit counts the first reply as handed over: only its owner may send it); False when another task owns them."""
    owned: set[int] = context.bot_data.setdefault("delivering_updates", set())
    if update_id in owned:
        yield False
        return
    owned.add(update_id)
    try:
        yield True
    finally:
        owned.discard(update_id)


async def deliver_outcome(context: BotContext, chat_id: int, outcome: Outcome, send: SendOne) -> None:
    """Send an outcome's replies not delivered yet, and record how far delivery got."""
    waiting: set[int] = context.bot_data.setdefault("undelivered_chats", set())
    if chat_id in waiting and outcome.update_id is not None:
        if outcome.handed > outcome.first:  # counted by the decision's commit, but the retry job sends it
            await context.services.conversations.hand_over(outcome.update_id, outcome.first, done=False)
        _retry_soon(context)  # an older reply of this chat is still undelivered: keep the order
        return
    await _send_from(context, chat_id, outcome.update_id, outcome.replies, outcome.first, send, outcome.handed)


async def _send_from(
    context: BotContext, chat_id: int, update_id: int | None, replies: Sequence[Reply], first: int, send: SendOne,
    handed: int,
) -> bool:  # fmt: skip
    """Send replies[first:], each counted as handed over before its call unless the journal counts it already."""
    conversations = context.services.conversations
    sent = first

    async def count_it() -> None:  # after the model phrased it, if it does: a crash while it writes loses nothing
        nonlocal handed
        if update_id is not None and sent >= handed:
            await conversations.hand_over(update_id, sent + 1, done=sent + 1 == len(replies))
            handed = sent + 1

    try:
        for reply in replies[first:]:
            await send(reply, count_it)
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
            await conversations.hand_over(update_id, sent, done=False)  # given back: the call did not go through
        _retry_soon(context, RETRY_INTERVAL_SECONDS)
        return False
    if update_id is not None and handed < len(replies):  # blocked or refused: the rest is dropped
        await conversations.hand_over(update_id, len(replies), done=True)
    return True


async def retry_undelivered(context: BotContext) -> None:
    """Job: send journaled replies that did not get through, oldest first."""
    async with context.services.sessionmaker() as session:
        rows = await undelivered(session, context.services.conversations.bot_id, utcnow() - RETRY_AFTER if not context.bot_data.get("undelivered_chats") else utcnow())
    waiting: set[int] = context.bot_data.setdefault("undelivered_chats", set())
    failed: set[int] = set()
    for row in rows:
        if row.chat_id is None or row.chat_id in failed:
            continue
        if row.chat_id not in waiting and row.created_at > utcnow() - RETRY_AFTER:
            continue  # another chat's update, perhaps still being delivered by another worker
        with delivering(context, row.update_id) as mine:
            if not mine or not await _retry_row(context, row.update_id):
                failed.add(row.chat_id)  # being sent, or failed: this chat's later replies wait (its order)
    waiting.intersection_update(failed)


async def _retry_row(context: BotContext, update_id: int) -> bool:
    """Send what is still owed of one journaled update, read afresh now that it is ours; False when a send failed."""
    send_reply = reply_sender(context)
    async with context.services.sessionmaker() as session:
        row = await find_update(session, context.services.conversations.bot_id, update_id)
    if row is None or row.chat_id is None or row.sent_at is not None:
        return True
    replies = [Reply.from_json(r) for r in row.replies]
    route = await context.services.business.route(row.chat_id) if is_business_key(row.chat_id) else None
    if is_business_key(row.chat_id) and route is None:
        log.info("business connection may not reply any more; undelivered replies dropped")
        await context.services.conversations.hand_over(row.update_id, len(replies), done=True)
        return True
    chat_id = route.chat_id if route is not None else row.chat_id
    connection_id = route.connection_id if route is not None else None

    async def send(reply: Reply, before_call: BeforeCall) -> None:
        await send_reply(context, chat_id, reply, row.version, private=chat_id > 0 and connection_id is None,
                         business_connection_id=connection_id, before_call=before_call)  # fmt: skip

    return await _send_from(context, row.chat_id, row.update_id, replies, row.sent_count, send, row.sent_count)


def reply_sender(context: BotContext) -> ReplySender:
    """The transport's one way to send a reply, handed over by bot.telegram.handlers.register: the outbox sits below the
    handlers and never imports them."""
    return context.bot_data[REPLY_SENDER]  # type: ignore[no-any-return]


def _retry_soon(context: BotContext, delay: float = 0.5) -> None:
    if context.job_queue is not None:
        context.job_queue.run_once(retry_undelivered, delay, name="retry-undelivered")


async def purge_old_data(context: BotContext) -> None:
    """Job: delivered journal entries after a day, and message logs after RETENTION_DAYS when it is set."""
    services = context.services
    async with services.sessionmaker.begin() as session:
        await prune_journal(session, utcnow() - JOURNAL_KEEP)
        if services.settings.retention_days:
            await purge_messages(session, utcnow() - timedelta(days=services.settings.retention_days))
