"""What the set-up commands ask Telegram before the bot runs (getMe, getWebhookInfo), answered as plain values, so
`init` and `doctor` talk to Telegram only through this adapter and never import telegram themselves."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError


class Trouble(enum.Enum):
    """Why a probe got no answer."""

    REJECTED = "rejected"  # the token is not a bot's
    UNREACHABLE = "unreachable"  # no answer at all (a timeout is one)
    REFUSED = "refused"  # Telegram answered with an error: a 5xx, a 429


@dataclass(frozen=True)
class ProbeFailed:
    """A probe that failed: why, and python-telegram-bot's name for it (TimedOut, NetworkError...) for the line shown."""

    trouble: Trouble
    error: str


@dataclass(frozen=True)
class WebhookState:
    """The webhook Telegram has for this bot ("" when none), and its last delivery error."""

    url: str
    last_error_message: str | None


def _failed(exc: TelegramError) -> ProbeFailed:
    if isinstance(exc, InvalidToken):
        return ProbeFailed(Trouble.REJECTED, exc.__class__.__name__)
    trouble = Trouble.UNREACHABLE if isinstance(exc, NetworkError) else Trouble.REFUSED
    return ProbeFailed(trouble, exc.__class__.__name__)


async def bot_username(token: str, base_url: str) -> str | ProbeFailed:
    """The bot's @username from getMe, or why Telegram did not give it."""
    try:
        async with Bot(token, base_url=base_url) as bot:
            return bot.username
    except TelegramError as exc:
        return _failed(exc)


async def webhook_state(token: str, base_url: str) -> WebhookState | ProbeFailed:
    """getWebhookInfo's answer, or why Telegram did not give it."""
    try:
        async with Bot(token, base_url=base_url) as bot:
            info = await bot.get_webhook_info()
    except TelegramError as exc:
        return _failed(exc)
    return WebhookState(info.url or "", info.last_error_message)
