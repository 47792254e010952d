"""The booking funnel for /stats, the unfinished intakes due their one reminder, and once-a-day job runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.vocabulary import FunnelStep, LeadStatus, QuestionStatus, Step, Use
from db.base import rowcount, utcnow
from db.models import Conversation, FunnelEvent, JobRun, Lead, LeadEvent, Question

REACHED_CONTACT = (LeadStatus.CONTACTED, LeadStatus.QUOTED, LeadStatus.BOOKED)


@dataclass(frozen=True)
class LeadOutcome:
    """One lead of a period, as the funnel counts it."""

    intended_use: Use | None
    source: str | None
    contacted: bool
    booked: bool


async def count_conversations_since(session: AsyncSession, since: datetime) -> int:
    """Chats whose first stored conversation began at or after `since`."""
    stmt = select(func.count()).select_from(Conversation).where(Conversation.created_at >= since)
    return (await session.execute(stmt)).scalar_one()


async def intakes_by_source_since(session: AsyncSession, since: datetime) -> dict[str | None, int]:
    """Booking intakes started at or after `since`, per deep-link source (None: no source)."""
    stmt = (
        select(FunnelEvent.source, func.count())
        .where(FunnelEvent.step == FunnelStep.INTAKE_STARTED, FunnelEvent.created_at >= since)
        .group_by(FunnelEvent.source)
    )
    return {source: count for source, count in (await session.execute(stmt)).all()}


async def lead_outcomes_since(session: AsyncSession, since: datetime) -> list[LeadOutcome]:
    """Leads confirmed at or after `since`: whether each was contacted (ever) and is booked (now)."""
    reached = exists().where(LeadEvent.lead_id == Lead.id, LeadEvent.new_status.in_(REACHED_CONTACT))
    contacted = or_(reached, Lead.status.in_(REACHED_CONTACT))
    stmt = select(Lead.intended_use, Lead.source, contacted, Lead.status).where(Lead.created_at >= since).order_by(Lead.id)
    rows = (await session.execute(stmt)).all()
    return [LeadOutcome(use, source, bool(was_contacted), status is LeadStatus.BOOKED) for use, source, was_contacted, status in rows]


async def count_open_questions(session: AsyncSession) -> int:
    """Questions still waiting for the photographer."""
    stmt = select(func.count()).select_from(Question).where(Question.status == QuestionStatus.OPEN)
    return (await session.execute(stmt)).scalar_one()


async def stalled_intakes(session: AsyncSession, idle_before: datetime, idle_after: datetime) -> list[Conversation]:
    """Intakes untouched since a moment between the two given, and not reminded yet; the longest waiting first."""
    stmt = (
        select(Conversation)
        .where(
            Conversation.step != Step.IDLE,
            Conversation.reminded_at.is_(None),
            Conversation.updated_at < idle_before,
            Conversation.updated_at >= idle_after,
        )
        .order_by(Conversation.updated_at)
    )
    return list((await session.execute(stmt)).scalars())


async def claim_reminder(session: AsyncSession, chat_id: int, version: int, at: datetime) -> bool:
    """Mark an intake reminded unless it moved on; True if this caller won it and should send the reminder."""
    # A plain UPDATE: neither the state version (the reminder's button carries it) nor updated_at may change.
    stmt = (
        update(Conversation)
        .where(Conversation.chat_id == chat_id, Conversation.version == version, Conversation.reminded_at.is_(None))
        .values(reminded_at=at, updated_at=Conversation.updated_at)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return bool(rowcount(result))


async def claim_job_run(session: AsyncSession, key: str) -> bool:
    """Record that a periodic job runs for `key`; False when another worker already did."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(insert(JobRun).values(key=key, created_at=utcnow()).on_conflict_do_nothing())
    return bool(rowcount(result))
