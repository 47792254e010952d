"""Reading and writing one chat's conversation state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Conversation, FunnelEvent, FunnelStep

IDLE = "idle"  # the engine's Step.IDLE, as stored


async def load_conversation(session: AsyncSession, chat_id: int) -> Conversation | None:
    """The chat's conversation row, locked for this transaction where the database can."""
    stmt = select(Conversation).where(Conversation.chat_id == chat_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def save_conversation(
    session: AsyncSession,
    row: Conversation | None,
    chat_id: int,
    step: str,
    state: dict[str, Any],
    last_lead_id: int | None,
) -> Conversation:
    """Insert or update the row; SQLAlchemy's version check raises StaleDataError on a race."""
    intake_started = step != IDLE and (row is None or row.step == IDLE)
    if row is None:
        row = Conversation(chat_id=chat_id, step=step, state=state, last_lead_id=last_lead_id)
        session.add(row)
    else:
        row.step = step
        row.state = state
        row.last_lead_id = last_lead_id
    if intake_started:
        # For /stats, and so that each new intake can get its own one reminder.
        row.reminded_at = None
        session.add(FunnelEvent(chat_id=chat_id, step=FunnelStep.INTAKE_STARTED, source=state.get("source")))
    await session.flush()
    return row


async def delete_conversation(session: AsyncSession, chat_id: int) -> None:
    """Forget a chat's state entirely."""
    await session.execute(delete(Conversation).where(Conversation.chat_id == chat_id))
