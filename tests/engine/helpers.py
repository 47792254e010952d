"""Driving the pure engine in unit tests: state threaded through decide() as the service would."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content import ContentPack
from bot.engine.events import ButtonPress, Command, Decision, Event, Incoming, LeadConfirmed, Reply, Sender, Text
from bot.engine.intake import EngineContext, decide
from bot.engine.state import ConversationState
from bot.knowledge import PackAnswerer
from tests.conftest import FIXED_NOW

_CONTEXTS: dict[int, EngineContext] = {}


def _context(content: ContentPack) -> EngineContext:
    """One engine context per content pack: building the retrieval index is the slow part."""
    if id(content) not in _CONTEXTS:
        _CONTEXTS[id(content)] = EngineContext(content, PackAnswerer(content), ZoneInfo("America/Vancouver"))
    return _CONTEXTS[id(content)]


DANA = Sender(user_id=42, first_name="Dana", last_name="Lee", username="dana_lee", language_code="en")


def plain(text: str) -> str:
    """Reply HTML as text, for assertions."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@dataclass
class Chat:
    """One chat with the engine; remembers the state and every decision."""

    content: ContentPack
    sender: Sender = DANA
    now: datetime = FIXED_NOW
    state: ConversationState = field(default_factory=ConversationState)
    decisions: list[Decision] = field(default_factory=list)
    leads: list[ConversationState] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ctx = _context(self.content)

    def send(self, event: Event | str) -> Decision:
        """Apply one event (a string is typed text, "/x" a command) and keep the new state."""
        if isinstance(event, str):
            event = Command(*event[1:].split(" ", 1)) if event.startswith("/") else Text(event)
        decision = decide(self.state, Incoming(1, self.sender, event, self.now), self.ctx)
        if any(isinstance(e, LeadConfirmed) for e in decision.effects):
            self.leads.append(self.state.model_copy(deep=True))
        self.decisions.append(decision)
        if decision.changed:
            self.state = decision.state.model_copy(update={"version": self.state.version + 1})
        return decision

    def tap(self, label: str) -> Decision:
        """Tap the button with this label in the last replies."""
        for reply in reversed(self.last.replies):
            for row in reply.buttons:
                for button in row:
                    if button.label == label:
                        return self.send(ButtonPress(button.action, button.value, self.state.version))
        raise AssertionError(f"no button {label!r} in {self.texts()}")

    @property
    def last(self) -> Decision:
        return self.decisions[-1]

    def texts(self) -> str:
        """The last decision's replies as plain text."""
        return "\n".join(plain(r.text) for r in self.last.replies)

    def buttons(self) -> list[str]:
        """Labels of the last decision's buttons."""
        return [b.label for r in self.last.replies for row in r.buttons for b in row]


def reply_texts(replies: tuple[Reply, ...]) -> list[str]:
    """Plain texts of replies."""
    return [plain(r.text) for r in replies]
