"""Questions the knowledge pack could not answer."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.vocabulary import QuestionKind, QuestionStatus
from db.base import utcnow
from db.models import Question


async def create_question(
    session: AsyncSession, chat_id: int, text: str, lead_id: int | None = None, kind: QuestionKind = QuestionKind.QUESTION
) -> Question:
    """Record an open question (or photography inquiry) for the photographer."""
    question = Question(chat_id=chat_id, text=text, lead_id=lead_id, status=QuestionStatus.OPEN, kind=kind)
    session.add(question)
    await session.flush()
    return question


async def list_questions(session: AsyncSession, status: QuestionStatus | None = QuestionStatus.OPEN) -> list[Question]:
    """Questions, oldest first, by default only the open ones."""
    stmt = select(Question).order_by(Question.id)
    if status is not None:
        stmt = stmt.where(Question.status == status)
    return list((await session.execute(stmt)).scalars())


async def top_open_questions(session: AsyncSession, limit: int) -> list[tuple[str, int]]:
    """The open questions asked most often (same words, any case), each with how many times; oldest first on a tie."""
    words = func.lower(Question.text)
    stmt = (
        select(func.min(Question.text), func.count())
        .where(Question.status == QuestionStatus.OPEN, Question.kind == QuestionKind.QUESTION)
        .group_by(words)
        .order_by(func.count().desc(), func.min(Question.id))
        .limit(limit)
    )
    return [(text, count) for text, count in (await session.execute(stmt)).all()]


async def answer_question(session: AsyncSession, question_id: int, answer: str) -> Question | None:
    """Mark a question answered with the photographer's words."""
    question = await session.get(Question, question_id)
    if question is not None:
        question.answer, question.status, question.answered_at = answer, QuestionStatus.ANSWERED, utcnow()
        await session.flush()
    return question
