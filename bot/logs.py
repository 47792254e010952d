"""Logging, configured once: chat and update ids on every line, tokens never."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

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


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the bound ids, and a traceback when there is one.

    Every string is scrubbed like the text format's line, and json.dumps escapes newlines, so a traceback stays on
    its record's line."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage(), self.secrets),
            "update_id": getattr(record, "update_id", None),
            "chat_id": getattr(record, "chat_id", None),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info), self.secrets)
        if record.stack_info:
            entry["stack"] = scrub(self.formatStack(record.stack_info), self.secrets)
        return json.dumps(entry, ensure_ascii=False, default=str)


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """The text with the given secrets, and anything shaped like a bot token or an API key, replaced by ***."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return _SECRET_SHAPES.sub("***", text)


def configure_logging(level: str = "INFO", secrets: tuple[str, ...] = (), log_format: str = "text") -> None:
    """Set up the root logger once, as text lines or JSON lines; quiet the HTTP client, whose request lines contain the bot token."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter(secrets))
    handler.setFormatter(JsonFormatter(secrets) if log_format == "json" else ScrubbingFormatter(FORMAT, secrets))
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
