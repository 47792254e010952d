"""A prospect's own data: everything stored about one chat, and deleting it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rowcount, table_of
from db.desk import forget_prospect
from db.models import (
    BusinessChat,
    CachedAnswer,
    ChatStatus,
    Conversation,
    DeskMessage,
    FunnelEvent,
    Lead,
    LeadEvent,
    LeadInsight,
    LearnedAnswer,
    Message,
    ProcessedUpdate,
    Question,
)
from db.outbox import forget_items, owe_redactions

PRIVATE_TO_THE_STUDIO = frozenset({"note", "actor"})  # the photographer's own notes on a lead, and who wrote them


async def chat_data(session: AsyncSession, chat_id: int) -> dict[str, Any]:
    """Every row that names this chat, as plain values, without the photographer's private notes."""
    leads = list((await session.execute(select(Lead).where(Lead.chat_id == chat_id).order_by(Lead.id))).scalars())
    conversation = await session.get(Conversation, chat_id)
    messages = (await session.execute(select(Message).where(Message.chat_id == chat_id).order_by(Message.id))).scalars()
    questions = list((await session.execute(select(Question).where(Question.chat_id == chat_id).order_by(Question.id))).scalars())
    lead_ids = [lead.id for lead in leads]
    events = (await session.execute(select(LeadEvent).where(LeadEvent.lead_id.in_(lead_ids)).order_by(LeadEvent.id))).scalars()
    insights = (await session.execute(select(LeadInsight).where(LeadInsight.lead_id.in_(lead_ids)))).scalars()
    learned = (await session.execute(select(LearnedAnswer).where(LearnedAnswer.question_id.in_([q.id for q in questions])))).scalars()
    funnel = (await session.execute(select(FunnelEvent).where(FunnelEvent.chat_id == chat_id).order_by(FunnelEvent.id))).scalars()
    business = await session.get(BusinessChat, chat_id)
    return {
        "leads": [_row(lead) for lead in leads],
        "lead_history": [_row(e, PRIVATE_TO_THE_STUDIO) for e in events],  # status changes; notes stay the studio's
        "lead_follow_ups": [_row(i) for i in insights],  # the suggested summary, priority and draft for each request
        "conversation": _row(conversation) if conversation is not None else None,
        "messages": [_row(m) for m in messages],
        "questions": [_row(q) for q in questions],
        "answers_kept_for_everyone": [_row(a, {"actor"}) for a in learned],  # built from their questions
        "funnel_steps": [_row(f) for f in funnel],
        "business_chat": _row(business) if business is not None else None,
    }


@dataclass(frozen=True)
class Forgotten:
    """What /forget deleted that the desk should know of."""

    lead_ids: list[int]
    learned_ids: list[int]  # answers kept for everyone that were built from the prospect's questions


async def forget_chat(session: AsyncSession, chat_id: int) -> Forgotten:
    """Delete everything stored about a chat, and owe the admin chats an edit of every message about it."""
    lead_ids = list((await session.execute(select(Lead.id).where(Lead.chat_id == chat_id))).scalars())
    question_ids = select(Question.id).where(Question.chat_id == chat_id)
    learned_ids = list((await session.execute(select(LearnedAnswer.id).where(LearnedAnswer.question_id.in_(question_ids)))).scalars())
    about = select(DeskMessage.chat_id, DeskMessage.message_id).where(DeskMessage.prospect_chat_id == chat_id)
    await owe_redactions(session, [(row.chat_id, row.message_id) for row in await session.execute(about)])
    await forget_items(session, lead_ids, chat_id)
    await forget_prospect(session, chat_id)
    await session.execute(delete(LearnedAnswer).where(LearnedAnswer.id.in_(learned_ids)))
    await session.execute(delete(CachedAnswer).where(CachedAnswer.chat_id == chat_id))
    await session.execute(delete(Conversation).where(Conversation.chat_id == chat_id))
    await session.execute(delete(Question).where(Question.chat_id == chat_id))
    await session.execute(delete(Message).where(Message.chat_id == chat_id))
    await session.execute(delete(Lead).where(Lead.chat_id == chat_id))
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.chat_id == chat_id))
    await session.execute(delete(ChatStatus).where(ChatStatus.chat_id == chat_id))
    await session.execute(delete(BusinessChat).where(BusinessChat.chat_key == chat_id))  # a business chat's own key
    return Forgotten(lead_ids, learned_ids)


async def clear_abandoned_contacts(session: AsyncSession, idle_before: datetime) -> int:
    """Clear the email and phone of every intake untouched since `idle_before`, the rest of it kept; how many.

    Neither `updated_at` changes (no reminder is due again) nor the state's version stays (a prospect writing at
    this moment re-reads the cleared state, and an old button on the chat is stale)."""
    table = table_of(Conversation)
    stmt = select(table.c.chat_id, table.c.state, table.c.version).where(table.c.updated_at < idle_before)
    cleared = 0
    for row in (await session.execute(stmt)).all():
        facts = dict((row.state or {}).get("facts") or {})
        if facts.get("email") is None and facts.get("phone") is None:
            continue
        state = {**row.state, "facts": facts | {"email": None, "phone": None}}
        result = await session.execute(
            update(table)
            .where(table.c.chat_id == row.chat_id, table.c.version == row.version)
            .values(state=state, version=row.version + 1, updated_at=table.c.updated_at)
        )
        cleared += rowcount(result)
    return cleared


def _row(obj: Any, leave_out: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    values = {}
    for column in obj.__table__.columns:
        if column.key in leave_out:
            continue
        value = getattr(obj, column.key)
        values[column.key] = value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)
    return values
