"""What comes into the engine and what it answers with: plain values, no transport types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.engine.vocabulary import ButtonAction

if TYPE_CHECKING:
    from bot.engine.state import ConversationState


@dataclass(frozen=True)
class Sender:
    """Who wrote, as far as the transport knows."""

    user_id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def full_name(self) -> str | None:
        """First and last name joined, or None."""
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or None


@dataclass(frozen=True)
class Text:
    """A typed message; `model_facts` is what the optional model read in it (unvalidated, used only as a fallback)."""

    text: str
    model_facts: dict[str, Any] | None = field(default=None, hash=False)


@dataclass(frozen=True)
class Command:
    """A /command with its argument text (the deep-link payload for /start)."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class ButtonPress:
    """A tap on a button the engine offered; `version` is the state version it was offered at.

    `action` is what the callback data said: a ButtonAction's value, or anything else from an old or forged button
    (the engine compares it with the members and ignores what matches none)."""

    action: str
    value: str
    version: int | None


@dataclass(frozen=True)
class ContactShared:
    """A phone number shared with the transport's own contact button."""

    phone: str
    is_own: bool


@dataclass(frozen=True)
class Media:
    """Anything that is not text: a sticker, a photo, a voice note…"""

    kind: str


Event = Text | Command | ButtonPress | ContactShared | Media


@dataclass(frozen=True)
class Incoming:
    """One event for one chat at one moment."""

    chat_id: int
    sender: Sender
    event: Event
    at: datetime
    update_id: int | None = None  # the transport's id, so a redelivered update is applied once


@dataclass(frozen=True)
class Button:
    """An inline button: the transport encodes (action, value) with the state version."""

    label: str
    action: ButtonAction
    value: str = ""


@dataclass(frozen=True)
class Reply:
    """One message to send: HTML text (every user string already escaped) and its controls."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    request_contact: str | None = None  # label of a "share my phone number" keyboard button
    remove_keyboard: bool = False
    question: str | None = None  # set on answers from the pack: the question they answer (for model phrasing)
    entries: tuple[str, ...] = ()  # the pack entries the answer is made of (for model phrasing)

    def to_json(self) -> dict[str, Any]:
        """A plain-data copy, for the update journal."""
        buttons = [[[b.label, b.action, b.value] for b in row] for row in self.buttons]
        return {"text": self.text, "buttons": buttons, "request_contact": self.request_contact,
                "remove_keyboard": self.remove_keyboard, "question": self.question, "entries": list(self.entries)}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        """The reply a journal entry holds."""
        buttons = tuple(tuple(Button(label, ButtonAction(action), value) for label, action, value in row) for row in data.get("buttons") or [])
        return cls(data["text"], buttons, data.get("request_contact"), bool(data.get("remove_keyboard")), data.get("question"),
                   tuple(data.get("entries") or ()))  # fmt: skip


@dataclass(frozen=True)
class LeadConfirmed:
    """Effect: the facts were confirmed and must become a lead in the same transaction."""


@dataclass(frozen=True)
class QuestionUnanswered:
    """Effect: the pack could not answer; record the question for the photographer and tell the admins."""

    text: str
    inquiry: bool = False  # a request for other photography: possible business, not a gap in the pack


@dataclass(frozen=True)
class ForwardToAdmins:
    """Effect: a message written after the prospect's lead was confirmed goes to the photographer."""

    text: str


@dataclass(frozen=True)
class ShowMyData:
    """Effect: show the prospect everything stored about them."""


@dataclass(frozen=True)
class ForgetMe:
    """Effect: delete everything stored about this chat (after the prospect confirmed)."""


Effect = LeadConfirmed | QuestionUnanswered | ForwardToAdmins | ShowMyData | ForgetMe


@dataclass(frozen=True)
class Decision:
    """The engine's answer to one event."""

    state: ConversationState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = field(default=())
    notice: str | None = None  # a short acknowledgement of a button tap (a toast in Telegram)
    changed: bool = True
