"""Outgoing Bot API calls that survive Telegram's bad moments: 429 honoured, 5xx and network errors retried."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)


class RetryingLimiter(AIORateLimiter):
    """AIORateLimiter's RetryAfter handling, plus retries with backoff for 5xx and network errors.

    No proactive throttling: Telegram's own 429 with retry_after tells us when to slow down, and a
    client-side cap would make the bot, not Telegram, the bottleneck.
    """

    def __init__(self, delays: tuple[float, ...] = RETRY_DELAYS) -> None:
        super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=3)
        self.delays = delays

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send, retrying transient failures; a bad request or a block is raised at once."""
        for delay in (*self.delays, None):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:
                if delay is None:
                    raise
                log.warning("%s failed (%s), retrying in %.1fs", endpoint, exc.__class__.__name__, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
