"""The desk's outbox delivered: each new lead's card reaches every admin chat, however often it has to be tried.

The lead's transaction owes the card (db.outbox). The update's handler pays at once; should that fail (Telegram
down, the bot removed from the admin group) or never run (the process killed after the commit, the update then
redelivered and recognised as a duplicate), the `desk-outbox` job pays later, with a growing delay between tries.
A lease keeps two senders (the handler and the job, or two webhook workers) from sending the same card at once,
and a retry sends only to the admin chats still without the card, so each chat gets it once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot.desk.insights import Organiser
from bot.desk.notify import DeskSender, desk_sender, organiser_of
from db.base import utcnow
from db.outbox import attempts_of, due_items, lease_item, settle_item

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
    sessionmaker, now = box.services.sessionmaker, utcnow()
    async with sessionmaker.begin() as session:
        if not await lease_item(session, lead_id, now, now + LEASE):
            return False  # delivered already, being sent elsewhere, or not due yet
    delivered = False
    try:
        delivered = await box.post_new_lead(lead_id, organiser)
    finally:
        async with sessionmaker.begin() as session:
            retry_at = None if delivered else utcnow() + retry_delay(await attempts_of(session, lead_id))
            await settle_item(session, lead_id, utcnow(), retry_at)
        if not delivered:
            log.warning("lead card not delivered yet; retrying later", extra={"lead_id": lead_id})
    return delivered


async def deliver_due(application: Application) -> int:  # type: ignore[type-arg]
    """Pay every card that is due; how many were delivered."""
    box = desk_sender(application, application.bot)
    async with box.services.sessionmaker() as session:
        items = await due_items(session, utcnow())
    delivered = 0
    for item in items:
        delivered += await deliver_lead_card(box, organiser_of(application), item.lead_id)
    return delivered


async def on_outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job (and the first thing after a start): cards owed since a crash or a failure."""
    if count := await deliver_due(context.application):
        log.info("delivered %d owed lead cards", count)


def schedule_outbox(application: Application) -> None:  # type: ignore[type-arg]
    """Look for owed cards a second after the start, then every few seconds."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(on_outbox_job, interval=SCAN_SECONDS, first=1.0, name=OUTBOX_JOB)
