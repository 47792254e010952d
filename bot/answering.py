"""Model phrasing of curated answers, cached so a question always gets the same words; offline it does nothing."""

from __future__ import annotations

import hashlib
import logging
import re
from html import escape
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine.events import Reply
from bot.engine.vocabulary import Direction
from bot.knowledge import PackAnswerer
from db.cache import get_cached_answer, put_cached_answer
from db.messages import log_messages

if TYPE_CHECKING:
    from bot.llm import DraftSink, ModelPhraser

log = logging.getLogger(__name__)
TELEGRAM_LIMIT = 4096
ENTRIES_FOR_MODEL = 3
_PUNCT_RE = re.compile(r"[^\w\s]")


def fit_html(plain: str, limit: int = TELEGRAM_LIMIT) -> str:
    """Plain text as Telegram HTML of at most `limit` characters: clipped before escaping, so no entity is cut."""
    html = escape(plain, quote=False)
    while len(html) > limit:
        plain = plain[: max(0, len(plain) - (len(html) - limit)) - 1]
        html = escape(plain + "…", quote=False)
    return html


def normalise_question(question: str) -> str:
    """Case, punctuation and spacing folded away: "What's the PRICE??" ~ "whats the price"."""
    return " ".join(_PUNCT_RE.sub("", question.casefold()).split())


class AnswerPhrasing:
    """Turns a curated answer into the model's wording of it, once per (question, entries, pack version)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], phraser: ModelPhraser, answerer: PackAnswerer) -> None:
        self.sessionmaker = sessionmaker
        self.phraser = phraser
        self.answerer = answerer
        self.content = answerer.content

    async def finish(self, chat_id: int, reply: Reply, on_draft: DraftSink | None = None) -> str:
        """The HTML to send for a reply, logged to the chat's message log."""
        final, _ = await self.phrase(reply, on_draft, chat_id)
        async with self.sessionmaker.begin() as session:
            await log_messages(session, chat_id, Direction.OUT, [final])
        return final

    async def phrase(self, reply: Reply, on_draft: DraftSink | None = None, chat_id: int | None = None) -> tuple[str, bool]:
        """The reply's HTML, and whether it is the model's wording (False: the curated words); a new wording is kept
        with the chat whose question it was phrased for, so that chat's /forget deletes it."""
        text = await self._phrased(reply, on_draft, chat_id) if reply.question else None
        return (text, True) if text else (reply.text, False)

    async def _phrased(self, reply: Reply, on_draft: DraftSink | None, chat_id: int | None) -> str | None:
        assert reply.question is not None
        entries = self._entries_for(reply)
        if not entries:
            return None
        ids = [e.id for e in entries]
        key = hashlib.sha256(f"{normalise_question(reply.question)}|{','.join(ids)}|{self.content.version}".encode()).hexdigest()
        async with self.sessionmaker() as session:
            cached = await get_cached_answer(session, key)
        if cached is not None:
            return cached.answer
        draft = _draft_sink(on_draft)
        answer = await self.phraser.phrase(reply.question, entries, draft)
        if answer is None:
            return None
        html = fit_html(answer)
        try:
            async with self.sessionmaker.begin() as session:
                await put_cached_answer(session, key, self.content.version, ids, html, chat_id)
        except IntegrityError:
            async with self.sessionmaker() as session:
                cached = await get_cached_answer(session, key)
            return cached.answer if cached is not None else html
        return html

    def _entries_for(self, reply: Reply) -> list:
        """The entries the curated answer is made of and, for a one-entry answer, its close neighbours."""
        assert reply.question is not None
        entries = {e.id: e for e in self.content.knowledge}
        chosen = [entries[i] for i in reply.entries if i in entries]
        if len(chosen) != 1:
            return chosen  # none (a learned answer: nothing of the pack to phrase) or one per part of the question
        retriever = self.answerer.retriever
        for topic, out_of_scope, score in retriever.rank(reply.question):
            if len(chosen) >= ENTRIES_FOR_MODEL or score < retriever.threshold:
                break
            if not out_of_scope and topic in entries and entries[topic] not in chosen:
                chosen.append(entries[topic])
        return chosen


def _draft_sink(on_draft: DraftSink | None) -> DraftSink | None:
    if on_draft is None:
        return None

    async def send(partial: str) -> None:
        await on_draft(fit_html(partial + "…"))

    return send
