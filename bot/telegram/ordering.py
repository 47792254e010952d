"""Updates processed concurrently, each chat's strictly in order, and fetched in batches.

python-telegram-bot processes one update at a time unless told otherwise, which makes every Bot API round trip
and every database commit a queue for everyone. This processor runs many at once but holds a per-chat lock, so
one prospect's messages are still applied in the order they were sent. Webhook updates go through it too; with
several webhook workers, a `guard` (a PostgreSQL advisory lock per chat, db.locks) keeps a chat's updates in other
workers waiting as well, taken once this worker's own turn has come.

Its poller asks for more as soon as a getUpdates call returns, so under load each call brought back one or two
updates and cost as much CPU as processing them. `BatchedPollRequest` makes the next getUpdates wait until at
most `LOW_WATER` of the updates already fetched are still being handled, or `BATCH_WAIT` at most: what arrived
meanwhile comes back in one call. Waiting for every one of them left the bot idle behind the slowest (on
PostgreSQL, where many run at once, throughput fell). A poll that is already waiting when an update arrives
still returns it at once, so a quiet bot answers as fast.

A poll confirms the updates fetched before it, so waiting means an update is mostly confirmed once handled
rather than at once; one that a crash caught before that comes back. That is safe because the update journal
counts each reply as handed over before its Bot API call (db.journal): the update comes back as seen, with
nothing to send.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor
from telegram.request import HTTPXRequest

MAX_CONCURRENT_UPDATES = 64
BATCH_WAIT = 0.05  # seconds: the longest a poll waits for the previous batch (a slow update must not hold the rest)
LOW_WATER = 8  # updates still in hand at which the next poll goes out: enough to keep the loop busy meanwhile
ChatGuard = Callable[[int], AbstractAsyncContextManager[None]]  # held around a chat's update, across processes


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one chat."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES, guard: ChatGuard | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._guard = guard
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.in_hand = 0  # updates handed to the processor and not finished, including those queued for a slot
        self._finished = asyncio.Event()  # set each time one finishes

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Count the update in hand while it waits for its chat's turn, then a slot, and runs.

        The chat's turn comes before the slot: an update queued behind its chat's earlier one (a chat paused by a
        429, a slow model answer) holds no slot, so one busy chat cannot take them all and stall the others."""
        self.in_hand += 1
        try:
            chat = update.effective_chat if isinstance(update, Update) else None
            async with self._turn(chat.id if chat is not None else None):
                await super().process_update(update, coroutine)
        finally:
            self.in_hand -= 1
            self._finished.set()

    async def next_finish(self, timeout: float) -> None:
        """Return when an update in hand finishes, or after `timeout` seconds."""
        self._finished.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._finished.wait(), timeout)

    @contextlib.asynccontextmanager
    async def _turn(self, chat_id: int | None) -> AsyncIterator[None]:
        """Held while no earlier update of the same chat is running (updates of no chat need no turn)."""
        if chat_id is None:
            yield
            return
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        try:
            async with lock, self._guard(chat_id) if self._guard is not None else contextlib.nullcontext():
                yield
        finally:
            self._waiting[chat_id] -= 1
            if not self._waiting[chat_id]:  # nobody else queued for this chat: drop its lock
                del self._waiting[chat_id]
                del self._locks[chat_id]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handling: its chat's turn and a slot are already held."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class BatchedPollRequest(HTTPXRequest):
    """The getUpdates connection: each poll first waits for the updates fetched before it (see the module's docstring)."""

    def __init__(self, processor: ChatOrderedProcessor, batch_wait: float = BATCH_WAIT, low_water: int = LOW_WATER) -> None:
        super().__init__(connection_pool_size=1)  # python-telegram-bot's own getUpdates defaults
        self.processor = processor
        self.batch_wait = batch_wait
        self.low_water = low_water
        self.fetched: asyncio.Queue[object] | None = None  # the Application's update queue, set once it is built

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Wait until few of the updates fetched before are still in hand (a slow one must not hold the rest), then poll."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.batch_wait
        while self._in_hand() > self.low_water and (left := deadline - loop.time()) > 0:
            await self.processor.next_finish(left)
        return await super().do_request(*args, **kwargs)

    def _in_hand(self) -> int:
        # The last poll's updates sit on the queue until the Application hands them to the processor.
        return self.processor.in_hand + (self.fetched.qsize() if self.fetched is not None else 0)
