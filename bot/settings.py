"""Settings from the environment and an optional `.env` file; the only module that reads them."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///headshot_bot.db"
# What @BotFather hands out: the bot's numeric id, a colon, then the secret part.
TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{5,}")


class Settings(BaseSettings):
    """Everything the bot can be told from outside; validated once in `main()`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str = DEFAULT_DATABASE_URL
    admin_chat_ids: Annotated[tuple[int, ...], NoDecode] = ()
    admin_user_ids: Annotated[tuple[int, ...], NoDecode] = ()  # the people who may use the desk, besides assistants
    timezone: str = "America/Vancouver"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout: float = Field(default=15.0, gt=0, le=120)
    webhook_url: str | None = Field(default=None, pattern=r"^https://\S+$")  # the public URL Telegram posts updates to
    webhook_secret: SecretStr | None = None  # sent back by Telegram in X-Telegram-Bot-Api-Secret-Token
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_workers: int = Field(default=1, ge=1, le=32)
    retention_days: int | None = Field(default=None, ge=1)  # message logs older than this are purged
    abandoned_intake_days: int = Field(default=30, ge=0)  # an intake untouched this long loses its email and phone; 0 keeps them
    prompts_dir: Path | None = None
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for a log collector
    reminder_hours: float = Field(default=24.0, ge=0, le=24 * 30)  # 0 turns the unfinished-intake reminder off
    digest_time: str = "09:00"  # HH:MM in TIMEZONE, when the admin chats get the daily digest
    business_quiet_hours: float = Field(default=12.0, gt=0, le=24 * 30)  # a business chat the photographer wrote in stays theirs

    @field_validator("admin_chat_ids", "admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return tuple(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated numeric ids") from None
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Checked here, before any network call; the message never repeats the value.
        token = value.get_secret_value().strip() if value is not None else ""
        if not token:
            return None
        if not TOKEN_PATTERN.fullmatch(token):
            raise ValueError("is not a bot token (digits, a colon, then letters and digits): copy it again from @BotFather")
        return SecretStr(token)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("digest_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hours, _, minutes = value.strip().partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("must be a time of day as HH:MM, e.g. 09:00")
        return f"{int(hours):02d}:{minutes}"

    @field_validator("prompts_dir")
    @classmethod
    def _existing_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a directory")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The studio's time zone as an object."""
        return ZoneInfo(self.timezone)

    @property
    def digest_at(self) -> time:
        """The daily digest's time of day, in the studio's time zone."""
        hours, minutes = self.digest_time.split(":")
        return time(int(hours), int(minutes), tzinfo=self.zone)

    @property
    def desk_user_ids(self) -> frozenset[int]:
        """The people the settings name for the desk: ADMIN_USER_IDS, and the person of each private admin chat
        (a private chat's id is its user's id; groups and channels have negative ids)."""
        return frozenset(self.admin_user_ids) | {chat_id for chat_id in self.admin_chat_ids if chat_id > 0}

    def require_webhook(self) -> tuple[str, str]:
        """The webhook URL and secret, or a ConfigError naming the missing one."""
        if not self.webhook_url:
            raise ConfigError("WEBHOOK_URL is not set (the https:// address Telegram should post updates to)")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise ConfigError("WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return self.webhook_url, secret

    @property
    def bot_id(self) -> int:
        """The bot's own id, the token's digits before the colon (0 without a token): the update journal's key with
        the update id, since another bot, or the studio's new one, numbers its updates afresh."""
        token = self.telegram_bot_token.get_secret_value().strip() if self.telegram_bot_token else ""
        return int(token.split(":", 1)[0]) if token else 0

    def require_token(self) -> str:
        """The bot token, or a ConfigError naming the setting."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value().strip():
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        return self.telegram_bot_token.get_secret_value().strip()


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning a validation error into one ConfigError line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
