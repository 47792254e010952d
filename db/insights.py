"""Each new lead's suggested follow-up: kept once, its draft claimed once when the photographer sends it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.vocabulary import InsightSource, Priority
from db.base import rowcount
from db.models import LeadInsight


async def save_insight(
    session: AsyncSession, lead_id: int, *, summary: str, priority: Priority, reason: str, draft: str, source: InsightSource
) -> LeadInsight:
    """Keep a lead's insight (an IntegrityError when it already has one, or the lead is gone)."""
    row = LeadInsight(lead_id=lead_id, summary=summary, priority=priority, reason=reason, draft=draft, source=source,
                      sent_edited=False)  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def get_insight(session: AsyncSession, lead_id: int) -> LeadInsight | None:
    """A lead's insight as stored now (not a copy cached by the session)."""
    stmt = select(LeadInsight).where(LeadInsight.lead_id == lead_id).execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_draft(session: AsyncSession, lead_id: int, actor: str, at: datetime, *, edited: bool) -> bool:
    """Mark a lead's draft as sent, if nobody did yet; True for the one caller that did."""
    stmt = (
        update(LeadInsight)
        .where(LeadInsight.lead_id == lead_id, LeadInsight.sent_at.is_(None))
        .values(sent_at=at, sent_by=actor, sent_edited=edited)
    )
    return rowcount(await session.execute(stmt)) == 1


async def release_draft(session: AsyncSession, lead_id: int) -> None:
    """Undo a claim whose message Telegram refused, so the draft can be sent again."""
    stmt = update(LeadInsight).where(LeadInsight.lead_id == lead_id).values(sent_at=None, sent_by=None, sent_edited=False)
    await session.execute(stmt)

