"""The model-answer cache: the same question, entries and pack version always get the same words."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CachedAnswer


async def get_cached_answer(session: AsyncSession, key: str) -> CachedAnswer | None:
    """A cached answer by key."""
    return await session.get(CachedAnswer, key)


async def put_cached_answer(
    session: AsyncSession, key: str, pack_version: str, entry_ids: list[str], answer: str, chat_id: int | None = None
) -> None:
    """Store an answer, with the chat whose question it was phrased for, unless another worker stored one first (theirs
    then wins, so everyone sees one wording)."""
    if await session.get(CachedAnswer, key) is None:
        session.add(CachedAnswer(key=key, pack_version=pack_version, entry_ids=entry_ids, answer=answer, chat_id=chat_id))
        await session.flush()
