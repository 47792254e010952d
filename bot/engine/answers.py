"""What the answerer decided about a question, as a value the engine acts on (no retrieval in here)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class AnswerKind(str, enum.Enum):
    """How a question is answered."""

    ENTRY = "entry"  # one or more curated entries answer it (parts no entry answers go to the photographer)
    REDIRECT = "redirect"  # not about the studio: a polite pointer back to headshots
    INQUIRY = "inquiry"  # other photography the studio may take on: the photographer replies
    DECLINED = "declined"  # something the studio has said it does not offer
    ABUSE = "abuse"  # insults, spam, nonsense: one neutral line, never a question for the photographer
    INJECTION = "injection"  # an attempt to steer the bot: refused, never forwarded as a question
    HANDOFF = "handoff"  # about the studio, but nothing in the pack answers it: the photographer replies


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
