"""Logging, configured once: chat and update ids on every line, tokens never."""

from __future__ import annotations

import contextvars
import logging

update_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("update_id", default=None)
chat_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("chat_id", default=None)

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


def configure_logging(level: str = "INFO", secrets: tuple[str, ...] = ()) -> None:
    """Set up the root logger once; quiet the HTTP client, whose request lines contain the bot token."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter(secrets))
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def bind(update_id: int | None, chat_id: int | None) -> None:
    """Bind ids to the log lines of the update being processed."""
    update_id_var.set(update_id)
    chat_id_var.set(chat_id)
