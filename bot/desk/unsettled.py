"""Which desk messages are still on their way: a tap waits for them to be remembered; one card refresh per lead.

Apart from bot/desk/notify.py because it changes with concurrency (workers, timeouts, locks), not with what is sent.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

log = logging.getLogger(__name__)
SETTLE_TIMEOUT = 5.0  # longest a tap waits for a message being sent to be remembered (a 429 pause can be longer)


class Unsettled:
    """This process's desk messages sent but not yet remembered, and one refresh of a lead's cards at a time.

    A message is remembered only once Telegram has given it an id, so a quick tap on its button can arrive first;
    the tap then waits, a few seconds at most, for the rounds sending to its chat instead of answering that the
    message is unknown. With several webhook workers a tap can reach another worker than the sender; there the
    window stays open for the milliseconds between Telegram's answer and the commit.
    """

    def __init__(self) -> None:
        self._rounds: dict[asyncio.Event, tuple[frozenset[int], int | None]] = {}  # -> (admin chats, lead)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def round(self, chat_ids: Iterable[int], lead_id: int | None) -> AsyncIterator[None]:
        """Sending to these admin chats about this lead, until what went out is remembered."""
        done = asyncio.Event()
        self._rounds[done] = (frozenset(chat_ids), lead_id)
        try:
            yield
        finally:
            del self._rounds[done]
            done.set()

    def pending(self, *, chat_id: int | None = None, lead_id: int | None = None) -> list[asyncio.Event]:
        """The rounds in flight now that send to this admin chat, or about this lead."""
        return [
            done for done, (chats, lead) in self._rounds.items() if chat_id in chats or (lead_id is not None and lead == lead_id)
        ]

    async def settle(self, rounds: list[asyncio.Event]) -> None:
        """Wait for these rounds to end (never inside one: it would wait for itself), SETTLE_TIMEOUT at most."""
        if rounds:
            try:
                await asyncio.wait_for(asyncio.gather(*(done.wait() for done in rounds)), SETTLE_TIMEOUT)
            except TimeoutError:
                log.warning("desk messages still being sent after %.0f s", SETTLE_TIMEOUT)

    def lock(self, lead_id: int) -> asyncio.Lock:
        """One refresh of a lead's cards at a time, so that the last to read the lead is the last to edit them."""
        lock = self._locks.get(lead_id)
        if lock is None:
            lock = self._locks[lead_id] = asyncio.Lock()
        return lock
