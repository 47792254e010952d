"""Creating, reading and exporting leads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.vocabulary import LeadStatus
from db.models import Lead


async def create_lead(session: AsyncSession, **fields: Any) -> Lead:
    """Insert a new lead and return it with its id."""
    lead = Lead(status=LeadStatus.NEW, **fields)
    session.add(lead)
    await session.flush()
    return lead


async def get_lead(session: AsyncSession, lead_id: int) -> Lead | None:
    """One lead by id."""
    return await session.get(Lead, lead_id)


async def list_leads(session: AsyncSession, status: LeadStatus | None = None, limit: int | None = None) -> list[Lead]:
    """Leads, newest first, optionally of one status."""
    stmt = select(Lead).order_by(Lead.id.desc())
    if status is not None:
        stmt = stmt.where(Lead.status == status)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.execute(stmt)).scalars())


async def count_leads(session: AsyncSession) -> int:
    """How many leads there are."""
    return (await session.execute(select(func.count(Lead.id)))).scalar_one()
