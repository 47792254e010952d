"""What the answerer decided about a question, as a value the engine acts on (no retrieval in here)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.vocabulary import AnswerKind


@dataclass(frozen=True)
class Answer:
    """The answerer's decision: its kind, the HTML to send (None for a hand-off) and what it rests on."""

    kind: AnswerKind
    text: str | None = None
    entries: tuple[str, ...] = ()  # the entries the text is made of, for model phrasing
    unanswered: tuple[str, ...] = ()  # parts of the question no entry answers, for the photographer

    @property
    def for_photographer(self) -> bool:
        """Whether the photographer must see this question (a hand-off, an inquiry or an unanswered part)."""
        return self.kind in (AnswerKind.HANDOFF, AnswerKind.INQUIRY) or bool(self.unanswered)
