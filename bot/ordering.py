"""Updates processed concurrently, each chat's strictly in order, and fetched in batches.

python-telegram-bot processes one update at a time unless told otherwise, which makes every Bot API round trip
and every database commit a queue for everyone. This processor runs many at once but holds a per-chat lock, so
one prospect's messages are still applied in the order they were sent.

Its poller asks for more as soon as a getUpdates call returns, so under load each call brought back one or two
updates and cost as much CPU as processing them. `BatchedPollRequest` makes the next getUpdates wait until the
updates already fetched are processed, or `BATCH_WAIT` at most: what arrived meanwhile comes back in one call.
A poll that is already waiting when an update arrives still returns it at once, so a quiet bot answers as fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor
from telegram.request import HTTPXRequest

MAX_CONCURRENT_UPDATES = 64
BATCH_WAIT = 0.05  # seconds: the longest a poll waits for the previous batch (a slow update must not hold the rest)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one chat."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handling once no earlier update of the same chat is running."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:  # nobody else queued for this chat: drop its lock
                del self._waiting[chat.id]
                del self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class BatchedPollRequest(HTTPXRequest):
    """The getUpdates connection: each poll first waits for the updates fetched before it (see the module's docstring)."""

    def __init__(self, batch_wait: float = BATCH_WAIT) -> None:
        super().__init__(connection_pool_size=1)  # python-telegram-bot's own getUpdates defaults
        self.batch_wait = batch_wait
        self.fetched: asyncio.Queue[object] | None = None  # the Application's update queue, set once it is built

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Wait for the previous batch (the queue's unfinished count drops as each update's handling ends), then poll."""
        if self.fetched is not None:
            try:
                await asyncio.wait_for(self.fetched.join(), self.batch_wait)
            except TimeoutError:
                pass  # still busy: poll anyway, so updates keep flowing while some take long
        return await super().do_request(*args, **kwargs)
