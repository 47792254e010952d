"""`run` in polling mode: wait for Telegram with backoff, then poll until SIGINT or SIGTERM (restarting once a desk is linked).

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
from dataclasses import replace
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.errors import ConfigError
from bot.linking import with_desk_chats
from bot.services import Services
from bot.telegram.app import build_application, serve_polling
from bot.telegram.linking import install_linking

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
    """Poll until SIGINT or SIGTERM, waiting for Telegram first and again if it goes away during start-up; without
    ADMIN_CHAT_IDS, each /join redeemed (see bot.linking) restarts the Application with the new desk chat."""
    token, base_url = services.settings.require_token(), services.settings.telegram_api_base_url
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    try:
        while True:
            restart = asyncio.Event()  # a signal sets both; a linked desk this one only
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, _set_all, stop, restart)
            if not await wait_for_telegram(token, base_url, stop, delays):
                return
            running = replace(services, settings=await with_desk_chats(services.settings, services.sessionmaker))
            application = build_application(running, token, base_url)
            if not services.settings.admin_chat_ids:  # the desk is the linked people's private chats
                install_linking(application, restart)
            if not running.settings.admin_chat_ids:
                log.warning("no desk yet (ADMIN_CHAT_IDS unset, nobody linked): send the /join code `headshot-bot init` "
                            "or `headshot-bot desk invite` printed to the bot from your own Telegram account")  # fmt: skip
            try:
                await serve_polling(application, restart)
            except NetworkError as exc:  # getMe answered, then Telegram went away before polling began
                log.warning("lost Telegram while starting (%s); waiting for it again", _reason(exc))
                continue
            if stop.is_set():
                return
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await services.close()


def _set_all(*events: asyncio.Event) -> None:
    for event in events:
        event.set()
