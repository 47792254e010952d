"""Answers the photographer saved for everyone, from replies to questions the pack could not answer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import LearnedAnswer, Question


async def create_learned_answer(
    session: AsyncSession, question: str, answer: str, actor: str, question_id: int | None = None
) -> LearnedAnswer:
    """Store a new learned answer; its title is the question, shortened."""
    title = " ".join(question.split())
    title = title if len(title) <= 80 else title[:79] + "…"
    row = LearnedAnswer(title=title, questions=[question], answer=answer, question_id=question_id, actor=actor)
    session.add(row)
    await session.flush()
    return row


async def learned_for_question(session: AsyncSession, question_id: int) -> LearnedAnswer | None:
    """The learned answer saved from this question, if any."""
    stmt = select(LearnedAnswer).where(LearnedAnswer.question_id == question_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_learned_answers(session: AsyncSession) -> list[LearnedAnswer]:
    """Every learned answer, oldest first."""
    return list((await session.execute(select(LearnedAnswer).order_by(LearnedAnswer.id))).scalars())


async def learn_from_question(session: AsyncSession, question_id: int, actor: str) -> tuple[LearnedAnswer | None, bool]:
    """Keep a question's answer for everyone: the learned answer and whether it is new; (None, False) if unanswered."""
    existing = await learned_for_question(session, question_id)
    if existing is not None:
        return existing, False
    question = await session.get(Question, question_id)
    if question is None or not question.answer:
        return None, False
    return await create_learned_answer(session, question.text, question.answer, actor, question_id), True
