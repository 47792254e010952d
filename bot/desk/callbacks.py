"""The desk buttons' callback data: one typed value per tap, encoded and decoded here and nowhere else.

    desk:1:st:12:booked      version 1: the action, then its arguments, in the order the action's shape says
    desk:st:12:booked        version 0 (before this codec): still decoded, so buttons on cards already posted work

Telegram allows 64 bytes of callback data; `encode` refuses more (CallbackTooLong) instead of cutting an id short,
and `decode` answers None for anything it did not make (a forged tap, another version, a malformed argument).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.engine.vocabulary import LeadStatus
from bot.errors import HeadshotBotError

PREFIX = "desk:"
VERSION = 1
LIMIT = 64  # bytes, Telegram's limit for callback_data
OPEN_FILTER = "open"  # the list of every lead not booked or lost


class CallbackTooLong(HeadshotBotError):
    """A button's data would not fit Telegram's 64 bytes."""


class Action(str, enum.Enum):
    """What a desk button does."""

    STATUS = "st"  # lead id, new status
    NOTE = "note"  # lead id
    REPLY = "reply"  # (the message it is on says whom to)
    HISTORY = "hist"  # lead id
    OPEN = "open"  # lead id
    PAGE = "pg"  # filter ("open" or a status), page number
    LEARN = "learn"  # question id
    EXPORT_LEARNED = "xl"
    SEND_DRAFT = "send"  # lead id
    EDIT_DRAFT = "edit"  # lead id


_WITH_ID = frozenset({Action.NOTE, Action.HISTORY, Action.OPEN, Action.LEARN, Action.SEND_DRAFT, Action.EDIT_DRAFT})
_BARE = frozenset({Action.REPLY, Action.EXPORT_LEARNED})
_FILTERS = frozenset({OPEN_FILTER, *(s.value for s in LeadStatus)})


@dataclass(frozen=True)
class DeskTap:
    """One desk button's meaning: its action, the number it is about (a lead, a question, a page), and for a status
    or a list page the word (the status, the list's filter)."""

    action: Action
    number: int | None = None
    word: str | None = None

    @property
    def status(self) -> LeadStatus:
        """The status a STATUS tap moves its lead to."""
        assert self.action is Action.STATUS and self.word is not None
        return LeadStatus(self.word)


def encode(tap: DeskTap) -> str:
    """A tap as callback data, version 1; CallbackTooLong past Telegram's 64 bytes, ValueError for a malformed tap."""
    if _invalid(tap):
        raise ValueError(f"not a well-formed desk tap: {tap!r}")
    if tap.action is Action.STATUS:
        args = [str(tap.number), str(tap.word)]
    elif tap.action is Action.PAGE:
        args = [str(tap.word), str(tap.number)]
    else:
        args = [str(tap.number)] if tap.action in _WITH_ID else []
    data = ":".join([f"{PREFIX}{VERSION}", tap.action.value, *args])
    if len(data.encode()) > LIMIT:
        raise CallbackTooLong(f"{len(data.encode())} bytes of callback data for {tap.action.value}")
    return data


def decode(data: str | None) -> DeskTap | None:
    """The tap in callback data (version 1, or 0 from before this codec); None when it is not one the desk made."""
    if not data or not data.startswith(PREFIX):
        return None
    parts = data.removeprefix(PREFIX).split(":")
    if parts[0].isdigit():
        if int(parts[0]) != VERSION:
            return None
        parts = parts[1:]
    try:
        action = Action(parts[0])
        args = parts[1:]
        if action is Action.STATUS and len(args) == 2:
            tap = DeskTap(action, _number(args[0]), args[1])
        elif action is Action.PAGE and len(args) == 2:
            tap = DeskTap(action, _number(args[1]), args[0])
        elif action in _WITH_ID and len(args) == 1:
            tap = DeskTap(action, _number(args[0]))
        elif action in _BARE and not args:
            tap = DeskTap(action)
        else:
            return None
    except ValueError:
        return None
    return None if _invalid(tap) else tap


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise ValueError(text)
    return int(text)


def _invalid(tap: DeskTap) -> bool:
    if tap.action is Action.STATUS:
        return tap.number is None or tap.word not in {s.value for s in LeadStatus}
    if tap.action is Action.PAGE:
        return tap.number is None or tap.number < 0 or tap.word not in _FILTERS
    if tap.action in _WITH_ID:
        return tap.number is None or tap.word is not None
    return tap.number is not None or tap.word is not None
