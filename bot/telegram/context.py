"""The handlers' typed context, in a module of its own so the desk and the outbox can name it without importing the
handlers (which import them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.services import Services


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):  # type: ignore[type-arg]
    """The handlers' context, carrying our services (python-telegram-bot's contexttypesbot pattern)."""

    @property
    def services(self) -> Services:
        """The services wired in bot.telegram.app."""
        return self.application.bot_data["services"]  # type: ignore[no-any-return]
