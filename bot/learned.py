"""Answers the photographer saved for everyone: tried before the pack, exported in the pack's own file format."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

import yaml
from rapidfuzz import fuzz
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content import KnowledgeEntry
from bot.engine.answers import Answer
from bot.engine.vocabulary import AnswerKind
from bot.knowledge import PackAnswerer, Retriever
from db.learned import list_learned_answers
from db.models import LearnedAnswer

log = logging.getLogger(__name__)
# Conservative on purpose: "will my dog be welcome?" must not get the answer saved for "will my parrot be welcome?"
# (72), nor "will my parrot and my dog be welcome?" (87.5), while "Are parrots welcome?" (96.6) does.
THRESHOLD = 90.0
_WORD_RE = re.compile(r"[a-z0-9$]+")
_STOPWORDS = frozenset(
    """a an the i me my we our you your it its is are am be been was were do does did to of in on at for with and or
    but so if then than that this these those there here can could would should will just please hi hello hey thanks
    thank im what which who how about also very any some get got ok okay""".split()
)


@dataclass(frozen=True)
class Learned:
    """A learned answer as the answerer keeps it in memory."""

    id: int
    questions: tuple[str, ...]
    answer: str


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold())


def _content(text: str) -> str:
    return " ".join(w for w in _words(text) if w not in _STOPWORDS and len(w) > 1)


def similarity(stored: str, asked: str) -> float:
    """How alike two questions are, 0-100, on their content words in any order (typos tolerated)."""
    a, b = _content(stored), _content(asked)
    if not a or not b:
        return 100.0 if _words(stored) == _words(asked) and _words(stored) else 0.0
    return float(fuzz.token_sort_ratio(a, b))


class LearnedAnswerer:
    """The engine's answerer: the photographer's learned answers first, then the pack."""

    def __init__(self, fallback: PackAnswerer, threshold: float = THRESHOLD) -> None:
        self.fallback = fallback
        self.threshold = threshold
        self._entries: tuple[Learned, ...] = ()

    @property
    def retriever(self) -> Retriever:
        """The pack's retriever (tools that explain a match look at the pack, not at learned answers)."""
        return self.fallback.retriever

    def render(self, entry: KnowledgeEntry) -> str:
        """A pack entry's answer, as the pack renders it."""
        return self.fallback.render(entry)

    def replace(self, entries: Iterable[Learned]) -> None:
        """Use this set of learned answers from now on."""
        self._entries = tuple(entries)

    async def reload(self, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        """Read the learned answers from the database; how many there are."""
        async with sessionmaker() as session:
            rows = await list_learned_answers(session)
        self.replace(learned(row) for row in rows)
        return len(rows)

    def match(self, question: str) -> Learned | None:
        """The learned answer for this question, if one was saved for a question close enough."""
        best, best_score = None, self.threshold
        for entry in self._entries:
            score = max(similarity(stored, question) for stored in entry.questions)
            if score >= best_score:
                best, best_score = entry, score
        return best

    def respond(self, question: str) -> Answer:
        """A learned answer (escaped: the photographer typed plain text), else the pack's decision."""
        entry = self.match(question)
        if entry is not None:
            log.info("answered from learned entry", extra={"learned_id": entry.id})
            return Answer(AnswerKind.ENTRY, escape(entry.answer))
        return self.fallback.respond(question)

    def answer(self, question: str) -> str | None:
        """The reply's HTML, or None when the photographer must answer."""
        return self.respond(question).text


def learned(row: LearnedAnswer) -> Learned:
    """The in-memory shape of a stored learned answer."""
    return Learned(row.id, tuple(row.questions), row.answer)


def pack_entry(row: LearnedAnswer) -> KnowledgeEntry:
    """A learned answer as a knowledge-pack entry (validated like prompts/knowledge/*.yaml)."""
    return KnowledgeEntry(id=f"learned_{row.id}", title=row.title, questions=list(row.questions), answer=row.answer, follow_up="none")


def entry_yaml(entry: KnowledgeEntry) -> str:
    """One entry in the pack's file format, ready to drop into prompts/knowledge/."""
    return yaml.safe_dump(entry.model_dump(), sort_keys=False, allow_unicode=True, width=120)


def pack_yaml(rows: Sequence[LearnedAnswer]) -> str:
    """Every learned answer as YAML documents, one per entry."""
    return "".join(f"---\n{entry_yaml(pack_entry(row))}" for row in rows)
