"""The photographer's desk: lead status changes and notes, the admin-chat messages they refer to, lead lookups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.vocabulary import DeskMessageKind, LeadStatus, QuestionStatus
from db.models import DeskMessage, FunnelEvent, Lead, LeadEvent, LeadInsight, Question

OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUOTED)


async def set_lead_status(
    session: AsyncSession, lead_id: int, status: LeadStatus, actor: str, note: str | None = None
) -> tuple[Lead | None, LeadEvent | None]:
    """Move a lead to `status` and record who did it; no event when the status is already that one."""
    lead = (await session.execute(select(Lead).where(Lead.id == lead_id).with_for_update())).scalar_one_or_none()
    if lead is None or lead.status is status:
        return lead, None
    event = LeadEvent(lead_id=lead.id, actor=actor, old_status=lead.status, new_status=status, note=note)
    lead.status = status
    session.add(event)
    await session.flush()
    return lead, event


async def add_lead_note(session: AsyncSession, lead_id: int, actor: str, note: str) -> LeadEvent | None:
    """Record a note on a lead (an event whose status does not change); None when there is no such lead."""
    lead = await session.get(Lead, lead_id)
    if lead is None:
        return None
    event = LeadEvent(lead_id=lead.id, actor=actor, old_status=lead.status, new_status=lead.status, note=note)
    session.add(event)
    await session.flush()
    return event


async def lead_events(session: AsyncSession, lead_id: int) -> list[LeadEvent]:
    """A lead's history, oldest first."""
    stmt = select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)
    return list((await session.execute(stmt)).scalars())


async def last_status_events(session: AsyncSession, lead_ids: Sequence[int]) -> dict[int, LeadEvent]:
    """The newest status change of each of these leads (notes left out)."""
    if not lead_ids:
        return {}
    newest = (
        select(func.max(LeadEvent.id))
        .where(LeadEvent.lead_id.in_(lead_ids), LeadEvent.old_status != LeadEvent.new_status)
        .group_by(LeadEvent.lead_id)
    )
    rows = (await session.execute(select(LeadEvent).where(LeadEvent.id.in_(newest)))).scalars()
    return {event.lead_id: event for event in rows}


async def track_desk_message(
    session: AsyncSession,
    chat_id: int,
    message_id: int,
    kind: DeskMessageKind,
    prospect_chat_id: int,
    lead_id: int | None = None,
    question_id: int | None = None,
) -> DeskMessage:
    """Remember what a message the bot sent to an admin chat is about."""
    row = DeskMessage(chat_id=chat_id, message_id=message_id, kind=kind, prospect_chat_id=prospect_chat_id,
                      lead_id=lead_id, question_id=question_id)  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def get_desk_message(session: AsyncSession, chat_id: int, message_id: int) -> DeskMessage | None:
    """What an admin chat's message is about, if the bot sent it about a prospect."""
    return await session.get(DeskMessage, (chat_id, message_id))


async def lead_cards(session: AsyncSession, lead_id: int) -> list[DeskMessage]:
    """Every card of a lead in every admin chat, oldest first; a follow-up posted as a message of its own (before it
    joined the card) counts as one, so it is kept current, and its buttons work, like the card."""
    stmt = (
        select(DeskMessage)
        .where(DeskMessage.lead_id == lead_id, DeskMessage.kind.in_((DeskMessageKind.CARD, DeskMessageKind.INSIGHT)))
        .order_by(DeskMessage.created_at)
    )
    return list((await session.execute(stmt)).scalars())


async def page_of_leads(
    session: AsyncSession, statuses: Sequence[LeadStatus], offset: int, limit: int
) -> tuple[list[Lead], int]:
    """One page of leads in these statuses, newest first, and how many there are in all."""
    where = Lead.status.in_(statuses)
    total = (await session.execute(select(func.count(Lead.id)).where(where))).scalar_one()
    stmt = select(Lead).where(where).order_by(Lead.id.desc()).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars()), total


async def find_leads(session: AsyncSession, text: str, limit: int = 10) -> list[Lead]:
    """Leads whose name, email, phone or Telegram username contains the text, newest first."""
    needle = text.strip().lstrip("@").lower()
    if not needle:
        return []
    matches = [func.lower(column).contains(needle, autoescape=True) for column in (Lead.name, Lead.email, Lead.telegram_username)]
    digits = "".join(c for c in needle if c.isdigit())
    if len(digits) >= 3 and not any(c.isalpha() for c in needle):
        matches.append(Lead.phone.contains(digits, autoescape=True))
    stmt = select(Lead).where(or_(*matches)).order_by(Lead.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def waiting_leads(session: AsyncSession, created_before: datetime) -> list[Lead]:
    """Leads still new that arrived before a moment, oldest first (for the daily digest)."""
    stmt = select(Lead).where(Lead.status == LeadStatus.NEW, Lead.created_at < created_before).order_by(Lead.id)
    return list((await session.execute(stmt)).scalars())


async def open_questions_of_chat(session: AsyncSession, chat_id: int) -> list[Question]:
    """A chat's questions still waiting for the photographer, oldest first."""
    stmt = select(Question).where(Question.chat_id == chat_id, Question.status == QuestionStatus.OPEN).order_by(Question.id)
    return list((await session.execute(stmt)).scalars())


async def forget_prospect(session: AsyncSession, chat_id: int) -> None:
    """Delete the desk's rows about a prospect's chat (for /forget): admin-message links, notes, follow-ups, funnel steps."""
    lead_ids = select(Lead.id).where(Lead.chat_id == chat_id)
    await session.execute(delete(LeadEvent).where(LeadEvent.lead_id.in_(lead_ids)))
    await session.execute(delete(LeadInsight).where(LeadInsight.lead_id.in_(lead_ids)))  # CASCADE too; explicit like the events
    await session.execute(delete(DeskMessage).where(DeskMessage.prospect_chat_id == chat_id))
    await session.execute(delete(FunnelEvent).where(FunnelEvent.chat_id == chat_id))
