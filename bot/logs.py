"""Logging, configured once: chat and update ids on every line, tokens never."""

from __future__ import annotations

import contextvars
import logging
import re

update_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("update_id", default=None)
chat_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("chat_id", default=None)

# Shapes of a Telegram bot token and an OpenAI-style key, masked wherever they appear even when not configured here
# (a revoked token in an error message, a key in a traceback's locals).
_SECRET_SHAPES = re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b|\bsk-[A-Za-z0-9_-]{16,}")
FORMAT = "%(asctime)s %(levelname)s %(name)s update=%(update_id)s chat=%(chat_id)s %(message)s"


class ContextFilter(logging.Filter):
    """Binds the current update and chat ids to each record, and masks secrets in the text."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = update_id_var.get()
        if not hasattr(record, "chat_id") or record.chat_id is None:
            record.chat_id = chat_id_var.get()
        if self.secrets:
            message = record.getMessage()
            if any(s in message for s in self.secrets):
                for secret in self.secrets:
                    message = message.replace(secret, "***")
                record.msg, record.args = message, None
        return True


class ScrubbingFormatter(logging.Formatter):
    """Formats the whole record, traceback included, then masks every secret in the text."""

    def __init__(self, fmt: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record), self.secrets)


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """The text with the given secrets, and anything shaped like a bot token or an API key, replaced by ***."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return _SECRET_SHAPES.sub("***", text)


def configure_logging(level: str = "INFO", secrets: tuple[str, ...] = ()) -> None:
    """Set up the root logger once; quiet the HTTP client, whose request lines contain the bot token."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter(secrets))
    handler.setFormatter(ScrubbingFormatter(FORMAT, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic reports every revision it checks at INFO: quiet unless something goes wrong.
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def bind(update_id: int | None, chat_id: int | None) -> None:
    """Bind ids to the log lines of the update being processed."""
    update_id_var.set(update_id)
    chat_id_var.set(chat_id)
