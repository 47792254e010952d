"""The desk's outbox delivered: each new lead's card reaches every admin chat, however often it has to be tried.

The lead's transaction owes the card (db.outbox). The update's handler pays at once; should that fail (Telegram
down, the bot removed from the admin group) or never run (the process killed after the commit, the update then
redelivered and recognised as a duplicate), the `desk-outbox` job pays later, with a growing delay between tries.
A lease keeps two senders (the handler and the job, or two webhook workers) from sending the same card at once,
and a retry sends only to the admin chats still without the card, so each chat gets it once.

A /forget owes an edit of every admin-chat message about the prospect, paid the same way. The photographer's words
to a prospect (a relay, an approved follow-up) are owed in the transaction that claims the desk action and sent at
most once (see deliver_relay): a crash between the approval and the send delays them, never loses or repeats them.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from bot.desk.insights import Organiser
from bot.desk.notify import DeskSender, desk_sender, organiser_of
from bot.engine.vocabulary import OutboxKind
from db.base import utcnow
from db.insights import release_draft
from db.models import OutboxItem
from db.outbox import attempts_of, card_item_id, due_items, give_back_item, hand_over_item, lease_item, settle_item

log = logging.getLogger(__name__)
OUTBOX_JOB = "desk-outbox"
SCAN_SECONDS = 5.0
LEASE = timedelta(minutes=2)  # longest one attempt may take (429 pauses, a model call) before another may try
MAX_DELAY = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try: 2, 4, 8 ... seconds, ten minutes at most."""
    return min(MAX_DELAY, timedelta(seconds=2 ** min(attempts, 10)))


async def deliver_lead_card(box: DeskSender, organiser: Organiser, lead_id: int) -> bool:
    """Try to pay a lead's card now; True when it is delivered by this call."""
    async with box.services.sessionmaker() as session:
        item_id = await card_item_id(session, lead_id)
    if item_id is None:
        return False
    return await _pay(box, item_id, lambda: box.post_new_lead(lead_id, organiser), {"lead_id": lead_id})


async def _pay(box: DeskSender, item_id: int, attempt: Callable[[], Awaitable[bool]], about: dict[str, int]) -> bool:
    """Lease an item, try it, and settle it: delivered, or due again after a growing delay."""
    sessionmaker, now = box.services.sessionmaker, utcnow()
    async with sessionmaker.begin() as session:
        if not await lease_item(session, item_id, now, now + LEASE):
            return False  # delivered already, being sent elsewhere, or not due yet
    delivered = False
    try:
        delivered = await attempt()
    finally:
        async with sessionmaker.begin() as session:
            retry_at = None if delivered else utcnow() + retry_delay(await attempts_of(session, item_id))
            await settle_item(session, item_id, utcnow(), retry_at)
        if not delivered:
            log.warning("desk message not delivered yet; retrying later", extra=about)
    return delivered


class Relay(enum.Enum):
    """How handing the photographer's words to Telegram went."""

    SENT = "sent"
    REFUSED = "refused"  # Telegram said no (blocked, bad request): not retried; a follow-up may be sent again
    LATER = "later"  # Telegram did not take it now (flood wait, network): the job sends it later


@dataclass(frozen=True)
class Relayed:
    """A relay's or a follow-up's outcome, for the photographer."""

    result: Relay
    error: TelegramError | None = None


async def deliver_relay(box: DeskSender, item_id: int) -> Relayed | None:
    """Hand a relay or an approved follow-up to Telegram, at most once: it is marked delivered in a commit before its
    one Bot API call, so a crash during the call loses at most that call rather than sending it twice, and a crash
    before it leaves it owed. None when it is not this caller's to send (sent, or being sent, elsewhere)."""
    sessionmaker = box.services.sessionmaker
    async with sessionmaker.begin() as session:
        item = await hand_over_item(session, item_id, utcnow())
    if item is None or item.chat_id is None:
        return None
    payload = item.payload or {}
    error = await box.send_to_prospect(item.chat_id, str(payload.get("html", "")))
    if isinstance(error, RetryAfter | NetworkError) and not isinstance(error, TimedOut):  # a timeout may have arrived
        async with sessionmaker.begin() as session:
            await give_back_item(session, item.id, utcnow() + retry_delay(item.attempts))
        return Relayed(Relay.LATER, error)
    if error is not None:
        if item.kind is OutboxKind.FOLLOW_UP and item.lead_id is not None:
            async with sessionmaker.begin() as session:
                await release_draft(session, item.lead_id)  # Telegram refused it: the draft may be sent again
        return Relayed(Relay.REFUSED, error)
    question_id = payload.get("question_id")
    await box.relayed(item.chat_id, str(payload.get("html", "")), question_id if isinstance(question_id, int) else None,
                      str(payload.get("words", "")))  # fmt: skip
    if item.kind is OutboxKind.FOLLOW_UP and item.lead_id is not None:
        log.info("follow-up sent", extra={"lead_id": item.lead_id})
        await box.refresh(item.lead_id)
    return Relayed(Relay.SENT)


async def _deliver_owed_relay(box: DeskSender, item: OutboxItem) -> bool:
    """The job's relay: sent (or refused) long after the tap, so the photographer hears of it in the chat they acted in."""
    relayed = await deliver_relay(box, item.id)
    if relayed is None or relayed.result is Relay.LATER or item.chat_id is None:
        return False
    payload = item.payload or {}
    confirm_chat, question_id = payload.get("confirm_chat"), payload.get("question_id")
    if isinstance(confirm_chat, int):
        who = box.desk.who(item.lead_id, item.chat_id)
        learn = question_id if isinstance(question_id, int) and item.kind is OutboxKind.RELAY else None
        await box.confirm_relay(confirm_chat, who, learn, relayed.error)
    return relayed.result is Relay.SENT


async def deliver_item(box: DeskSender, organiser: Organiser, item: OutboxItem) -> bool:
    """Try to pay one item of whatever kind; True when it is delivered by this call."""
    if item.kind is OutboxKind.LEAD_CARD and item.lead_id is not None:
        return await deliver_lead_card(box, organiser, item.lead_id)
    if item.kind in (OutboxKind.RELAY, OutboxKind.FOLLOW_UP):
        return await _deliver_owed_relay(box, item)
    if item.kind is OutboxKind.REDACTION and item.chat_id is not None and item.message_id is not None:
        chat_id, message_id = item.chat_id, item.message_id
        return await _pay(box, item.id, lambda: box.redact(chat_id, message_id), {"chat_id": chat_id})
    log.error("outbox item of an unknown shape left undelivered", extra={"item_id": item.id})
    return False


async def deliver_due(application: Application) -> int:  # type: ignore[type-arg]
    """Pay every item that is due; how many were delivered."""
    box = desk_sender(application, application.bot)
    async with box.services.sessionmaker() as session:
        items = await due_items(session, utcnow())
    delivered = 0
    for item in items:
        delivered += await deliver_item(box, organiser_of(application), item)
    return delivered


async def on_outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job (and the first thing after a start): desk messages owed since a crash or a failure."""
    if count := await deliver_due(context.application):
        log.info("delivered %d owed desk messages", count)


def schedule_outbox(application: Application) -> None:  # type: ignore[type-arg]
    """Look for owed desk messages a second after the start, then every few seconds."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(on_outbox_job, interval=SCAN_SECONDS, first=1.0, name=OUTBOX_JOB)
