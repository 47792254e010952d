"""`run` in polling mode: wait for Telegram with backoff, then poll until SIGINT or SIGTERM.

Telegram being unreachable is a network condition, not a crash: each failed attempt is one log line (never a
traceback) and the bot tries again, longer apart, for as long as it takes. A token Telegram rejects is a
configuration error and ends the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import build_application, serve_polling
from bot.errors import ConfigError
from bot.services import Services

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)  # then every 60 s


def backoff(delays: tuple[float, ...] = BACKOFF_SECONDS) -> Iterator[float]:
    """The waits between attempts: growing, then the last one for ever."""
    yield from delays
    while True:
        yield delays[-1]


async def wait_for_telegram(token: str, base_url: str, stop: asyncio.Event, delays: tuple[float, ...] = BACKOFF_SECONDS) -> bool:
    """True once getMe answers, False when `stop` is set first; a rejected token is a ConfigError."""
    host = urlsplit(base_url).netloc or base_url
    for attempt, delay in enumerate(backoff(delays), start=1):
        try:
            async with Bot(token, base_url=base_url):
                return True
        except InvalidToken:
            raise ConfigError("TELEGRAM_BOT_TOKEN was rejected by Telegram: copy it again from @BotFather") from None
        except TelegramError as exc:  # NetworkError (TimedOut is one), a 5xx, a 429
            log.warning("Telegram is not reachable at %s (%s, attempt %d); trying again in %.0f s",
                        host, _reason(exc), attempt, delay)  # fmt: skip
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return False
    raise AssertionError("unreachable")


def _reason(exc: TelegramError) -> str:
    return f"{exc.__class__.__name__}: {exc.message}"  # e.g. "NetworkError: httpx.ConnectError: All connection attempts failed"


async def poll_telegram(services: Services, delays: tuple[float, ...] = BACKOFF_SECONDS) -> None:
    """Poll until SIGINT or SIGTERM, waiting for Telegram first and again if it goes away during start-up."""
    settings = services.settings
    token, base_url = settings.require_token(), settings.telegram_api_base_url
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        while await wait_for_telegram(token, base_url, stop, delays):
            try:
                await serve_polling(build_application(services, token, base_url), stop)
                return
            except NetworkError as exc:  # getMe answered, then Telegram went away before polling began
                log.warning("lost Telegram while starting (%s); waiting for it again", _reason(exc))
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await services.close()
