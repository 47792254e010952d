"""Outgoing Bot API calls that survive Telegram's bad moments, each chat paced on its own.

Telegram's flood limits are per chat (about one message a second in a private chat, 20 a minute in a group) and
per bot (about 30 messages a second overall). python-telegram-bot's AIORateLimiter answers a 429 by halting
*every* request for `retry_after`, so one prospect who typed too fast, or one busy admin group, paused the whole
bot. This limiter, on the same `BaseRateLimiter` interface, keeps the pause where Telegram put it:

- a 429 for a call to a chat pauses that chat's calls only; a 429 for a call to no chat (getUpdates,
  setMyCommands) is the bot's own limit and pauses every call;
- each group (a negative chat id, or an @username) has its own budget, 20 calls a minute by default, spent before
  the call rather than learned from a 429;
- an overall budget, off by default: Telegram's 429s say when the bot as a whole is too fast, and a client-side cap
  would make the bot, not Telegram, the bottleneck (issue 15's throughput targets);
- 5xx and network errors are retried with backoff; a bad request or a block is raised at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)
MAX_FLOOD_RETRIES = 3
EVERYONE = "*"  # the pause key of the bot's own limit: every call waits for it
MAX_GROUP_BUDGETS = 512  # past this many, budgets with all their capacity back are dropped
ChatKey = int | str

JSON = bool | dict[str, Any] | list[dict[str, Any]]


def chat_key(data: dict[str, Any]) -> ChatKey | None:
    """The chat a call is about (an int id, or an @username as given), None for calls to no chat."""
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(ValueError, TypeError):
        return int(chat_id)
    return str(chat_id)


def is_group(key: ChatKey | None) -> bool:
    """Groups, supergroups and channels have negative ids; an @username is one of them too."""
    return isinstance(key, str) or (isinstance(key, int) and key < 0)


class RetryingLimiter(BaseRateLimiter[int]):
    """Per-chat pauses on a 429, a budget per group, retries with backoff (see the module's docstring).

    `rate_limit_args`, when a call passes one, is its number of flood retries instead of MAX_FLOOD_RETRIES.
    """

    def __init__(
        self,
        delays: tuple[float, ...] = RETRY_DELAYS,
        *,
        group_max_rate: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_period: float = 60.0,
        overall_max_rate: float = 0,
        max_retries: int = MAX_FLOOD_RETRIES,
    ) -> None:
        self.delays = delays
        self.max_retries = max_retries
        self._group_rate, self._group_period = group_max_rate, group_period
        self._groups: dict[ChatKey, AsyncLimiter] = {}
        self._overall = AsyncLimiter(overall_max_rate, 1) if overall_max_rate else None
        self._paused: dict[ChatKey, float] = {}  # chat (or EVERYONE) -> loop time its calls wait for

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Send once the call's chat (and the bot) may, retrying 429s and transient failures."""
        key = chat_key(data)
        floods, delays = 0, iter(self.delays)
        while True:
            await self._wait_turn(key)
            try:
                async with self._budget(key, bool(data.get("allow_paid_broadcast"))):
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if floods >= (rate_limit_args or self.max_retries):
                    raise
                floods += 1
                seconds = exc._retry_after.total_seconds()  # read as PTB's own limiter does (no deprecated int)
                self.pause(EVERYONE if key is None else key, seconds)
                log.info("%s hit a flood limit; %s waits %.1fs", endpoint, "the bot" if key is None else "that chat",
                         seconds, extra={"chat_id": key} if isinstance(key, int) else {})  # fmt: skip
            except BadRequest:
                raise
            except NetworkError as exc:
                delay = next(delays, None)
                if delay is None:
                    raise
                log.warning("%s failed (%s), retrying in %.1fs", endpoint, exc.__class__.__name__, delay)
                await asyncio.sleep(delay)

    def pause(self, key: ChatKey, seconds: float) -> None:
        """Hold back calls to this chat (EVERYONE: every call) for `seconds`, plus a little for the clock's grain."""
        until = asyncio.get_running_loop().time() + seconds + 0.1
        self._paused[key] = max(self._paused.get(key, 0.0), until)

    def paused(self, key: ChatKey | None) -> float:
        """How long a call to this chat must still wait: its own pause or the bot's, whichever ends later."""
        now = asyncio.get_running_loop().time()
        for done in [k for k, until in self._paused.items() if until <= now]:
            del self._paused[done]
        ends = [self._paused.get(EVERYONE, now)] + ([self._paused.get(key, now)] if key is not None else [])
        return max(ends) - now

    async def _wait_turn(self, key: ChatKey | None) -> None:
        while (wait := self.paused(key)) > 0:  # a 429 meanwhile can lengthen the pause: look again
            await asyncio.sleep(wait)

    @contextlib.asynccontextmanager
    async def _budget(self, key: ChatKey | None, paid: bool) -> AsyncIterator[None]:
        """Spend the group's budget (and the overall one, when set) before the call; a paid broadcast has its own."""
        group = self._group(key) if is_group(key) and not paid else None
        overall = self._overall if key is not None and not paid else None
        async with group or contextlib.nullcontext(), overall or contextlib.nullcontext():
            yield

    def _group(self, key: ChatKey | None) -> AsyncLimiter | None:
        if key is None or not (self._group_rate and self._group_period):
            return None
        if len(self._groups) > MAX_GROUP_BUDGETS:
            for idle in [k for k, b in self._groups.items() if k != key and b.has_capacity(b.max_rate)]:
                del self._groups[idle]
        if key not in self._groups:
            self._groups[key] = AsyncLimiter(self._group_rate, self._group_period)
        return self._groups[key]
