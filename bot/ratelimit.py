"""A per-chat flood guard: past the limit, one polite notice, then silence until the chat slows down."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

MAX_EVENTS = 20
WINDOW_SECONDS = 10.0
MAX_TRACKED_CHATS = 10_000


@dataclass(frozen=True)
class Verdict:
    """Whether to handle an event, and whether to tell the person to slow down (once per burst)."""

    allowed: bool
    notify: bool = False


class ChatRateLimit:
    """Sliding window of event times per chat, kept in memory (each worker limits what it receives)."""

    def __init__(self, max_events: int = MAX_EVENTS, window: float = WINDOW_SECONDS) -> None:
        self.max_events = max_events
        self.window = window
        self._events: dict[int, deque[float]] = {}
        self._notified: set[int] = set()

    def hit(self, chat_id: int, now: float | None = None) -> Verdict:
        """Record an event of a chat and judge it."""
        now = time.monotonic() if now is None else now
        events = self._events.setdefault(chat_id, deque())
        while events and now - events[0] > self.window:
            events.popleft()
        if len(events) >= self.max_events:
            first = chat_id not in self._notified
            self._notified.add(chat_id)
            return Verdict(False, notify=first)
        events.append(now)
        self._notified.discard(chat_id)
        if len(self._events) > MAX_TRACKED_CHATS:
            self._forget_quiet_chats(now)
        return Verdict(True)

    def _forget_quiet_chats(self, now: float) -> None:
        for chat_id in [c for c, e in self._events.items() if not e or now - e[-1] > self.window]:
            del self._events[chat_id]
