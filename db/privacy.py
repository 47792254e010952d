"""A prospect's own data: everything stored about one chat, and deleting it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.desk import forget_prospect
from db.models import BusinessChat, ChatStatus, Conversation, Lead, LeadEvent, LeadInsight, Message, ProcessedUpdate, Question


async def chat_data(session: AsyncSession, chat_id: int) -> dict[str, Any]:
    """Every row that names this chat, as plain values."""
    leads = (await session.execute(select(Lead).where(Lead.chat_id == chat_id).order_by(Lead.id))).scalars()
    conversation = await session.get(Conversation, chat_id)
    messages = (await session.execute(select(Message).where(Message.chat_id == chat_id).order_by(Message.id))).scalars()
    questions = (await session.execute(select(Question).where(Question.chat_id == chat_id).order_by(Question.id))).scalars()
    leads = list(leads)
    lead_ids = [lead.id for lead in leads]
    events = (await session.execute(select(LeadEvent).where(LeadEvent.lead_id.in_(lead_ids)))).scalars()
    insights = (await session.execute(select(LeadInsight).where(LeadInsight.lead_id.in_(lead_ids)))).scalars()
    return {
        "leads": [_row(lead) for lead in leads],
        "lead_history": [_row(e) for e in events],  # the photographer's status changes and notes about the requests
        "lead_follow_ups": [_row(i) for i in insights],  # the suggested summary, priority and draft for each request
        "conversation": _row(conversation) if conversation is not None else None,
        "messages": [_row(m) for m in messages],
        "questions": [_row(q) for q in questions],
    }


async def forget_chat(session: AsyncSession, chat_id: int) -> list[int]:
    """Delete everything stored about a chat; returns the ids of the deleted leads."""
    lead_ids = list((await session.execute(select(Lead.id).where(Lead.chat_id == chat_id))).scalars())
    await forget_prospect(session, chat_id)
    await session.execute(delete(Conversation).where(Conversation.chat_id == chat_id))
    await session.execute(delete(Question).where(Question.chat_id == chat_id))
    await session.execute(delete(Message).where(Message.chat_id == chat_id))
    await session.execute(delete(Lead).where(Lead.chat_id == chat_id))
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.chat_id == chat_id))
    await session.execute(delete(ChatStatus).where(ChatStatus.chat_id == chat_id))
    await session.execute(delete(BusinessChat).where(BusinessChat.chat_key == chat_id))  # a business chat's own key
    return lead_ids


def _row(obj: Any) -> dict[str, Any]:
    values = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.key)
        values[column.key] = value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)
    return values
