"""`headshot-bot doctor`: one line per check, "✓ what is fine" or "✗ what is wrong: what to do"; never the token."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import openai
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.content import load_content
from bot.errors import ConfigError, ContentError
from bot.llm import make_client
from bot.pack_check import check_pack
from bot.services import alembic_config
from bot.settings import TOKEN_PATTERN, Settings, load_settings
from bot.telegram.probe import ProbeFailed, Trouble, bot_username, webhook_state
from db.session import make_engine

# The facts `init` asks for: prospects ask about them first, so doctor fails while they show the shipped sample.
ESSENTIAL_FACTS = ("studio_name", "photographer", "city", "packages", "contact_email")


@dataclass(frozen=True)
class Check:
    """One check's outcome, as the line doctor prints."""

    ok: bool
    text: str

    def line(self) -> str:
        """The printed line."""
        return ("✓ " if self.ok else "✗ ") + self.text


def run_doctor(args: argparse.Namespace) -> int:
    """`doctor`: print every check as it finishes; exit 0 when all pass, 1 otherwise."""

    async def report() -> bool:
        passed = True
        async for check in diagnose():
            print(check.line(), flush=True)
            passed = passed and check.ok
        return passed

    return 0 if asyncio.run(report()) else 1


async def diagnose() -> AsyncIterator[Check]:
    """Every check, in the order a photographer would fix them."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        yield Check(False, f"settings do not load ({exc}): fix that line in .env, or run headshot-bot init")
        return
    yield Check(True, "settings load")
    token = await token_check(settings)
    yield token
    yield await webhook_check(settings) if token.ok else Check(False, "webhook/polling not checked: fix the token first")
    yield await database_check(settings)
    for check in pack_checks(settings):
        yield check
    yield await model_check(settings)
    yield zone_check(settings)


async def token_check(settings: Settings) -> Check:
    """The token is well formed and Telegram knows it."""
    token = settings.telegram_bot_token.get_secret_value().strip() if settings.telegram_bot_token else ""
    return (await probe_token(token, settings.telegram_api_base_url))[0]


async def probe_token(token: str, base_url: str) -> tuple[Check, str | None]:
    """getMe with this token: one line that never contains the token, and the bot's username when it worked."""
    if not token:
        return Check(False, "no TELEGRAM_BOT_TOKEN: get one from @BotFather, then run headshot-bot init"), None
    if not TOKEN_PATTERN.fullmatch(token):
        return Check(False, "TELEGRAM_BOT_TOKEN is not a bot token (digits, a colon, letters): copy it again from @BotFather"), None
    host = urlsplit(base_url).netloc or base_url
    username = await bot_username(token, base_url)
    if not isinstance(username, ProbeFailed):
        return Check(True, f"token valid: this is @{username}"), username
    if username.trouble is Trouble.REJECTED:
        return Check(False, "Telegram rejected the token: copy it again from @BotFather (/mybots, API Token)"), None
    if username.trouble is Trouble.UNREACHABLE:
        problem = f"cannot reach Telegram at {host} ({username.error}): check the connection or TELEGRAM_API_BASE_URL"
        return Check(False, problem), None
    return Check(False, f"Telegram answered getMe with {username.error}: try again in a minute"), None


async def webhook_check(settings: Settings) -> Check:
    """No webhook registered while the bot polls, and the registered one is ours in webhook mode."""
    token = settings.require_token()
    info = await webhook_state(token, settings.telegram_api_base_url)
    if isinstance(info, ProbeFailed):
        return Check(False, f"getWebhookInfo failed ({info.error}): try again in a minute")
    registered = urlsplit(info.url).netloc if info.url else ""
    if settings.webhook_url is None:
        if info.url:
            return Check(
                False,
                f"a webhook is set (to {registered}) but this bot polls: if another server answers there, stop it; "
                "otherwise set WEBHOOK_URL and use `run --webhook`, or just `run` (it removes the webhook)",
            )
        return Check(True, "no webhook set: polling will get the updates")
    if info.url and info.url != settings.webhook_url:
        return Check(False, f"the webhook Telegram has (to {registered}) is not WEBHOOK_URL: `run --webhook` registers ours")
    if info.last_error_message:
        return Check(False, f"Telegram cannot deliver to the webhook ({info.last_error_message}): check WEBHOOK_URL is reachable")
    return Check(True, "webhook " + ("registered" if info.url else "not registered yet (`run --webhook` does it)"))


async def database_check(settings: Settings) -> Check:
    """The database opens and its schema is at the newest Alembic revision."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" and not Path(url.database).exists():
        return Check(False, f"no database file at {url.database} yet: run headshot-bot db upgrade (run also does it)")
    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    except (SQLAlchemyError, OSError) as exc:
        return Check(False, f"cannot open the database ({exc.__class__.__name__}): check DATABASE_URL and that the server runs")
    finally:
        await engine.dispose()
    if current != head:
        at = f"at revision {current}" if current else "empty"
        return Check(False, f"the database is {at}, the newest is {head}: run headshot-bot db upgrade (run also does it)")
    return Check(True, f"database reachable and at the newest revision ({head})")


def pack_checks(settings: Settings) -> list[Check]:
    """The pack loads and `knowledge check` finds no error; the facts prospects ask first are the studio's own."""
    try:
        content = load_content(settings.prompts_dir)
    except ContentError as exc:
        return [
            Check(False, f"the pack does not load ({exc}): fix that file"),
            Check(False, "studio facts not checked: fix the pack first"),
        ]
    errors = [f for f in check_pack(content) if f.level == "error"]
    where = settings.prompts_dir or "the shipped pack (PROMPTS_DIR is unset)"
    pack = Check(True, f"pack valid: {len(content.knowledge)} entries in {where}")
    if errors:
        first = errors[0]
        pack = Check(False, f"the pack has {len(errors)} error(s), first {first.where}: {first.message}: run headshot-bot knowledge check")
    at_example = content.studio.example_facts
    essential = [key for key in ESSENTIAL_FACTS if key in at_example]
    if essential:
        facts = Check(
            False,
            f"studio facts still at their example: {', '.join(essential)}: run headshot-bot init, or write their value: in studio.yaml",
        )
    else:
        others = f"; {len(at_example)} others at their example, which prospects are told you will confirm" if at_example else ""
        facts = Check(True, f"the studio's main facts are set{others}")
    return [pack, facts]


async def model_check(settings: Settings) -> Check:
    """With OPENAI_API_KEY set, the model endpoint answers a one-token request."""
    if settings.openai_api_key is None:
        return Check(True, "no model configured (OPENAI_API_KEY unset): answers come from the pack alone")
    client = make_client(settings.openai_api_key.get_secret_value(), settings.openai_base_url, settings.openai_timeout)
    try:
        await client.with_options(max_retries=0).chat.completions.create(
            model=settings.openai_model, messages=[{"role": "user", "content": "Say OK."}], max_tokens=1
        )
    except openai.APIStatusError as exc:
        return Check(False, f"the model endpoint answered HTTP {exc.status_code}: check OPENAI_API_KEY and OPENAI_MODEL")
    except openai.APIError as exc:  # connection refused, timed out
        return Check(False, f"the model endpoint does not answer ({exc.__class__.__name__}): check OPENAI_BASE_URL")
    finally:
        await client.close()
    return Check(True, f"model {settings.openai_model} answers")


def zone_check(settings: Settings) -> Check:
    """The time zone is known; its clock is shown so a wrong zone or clock is seen at a glance."""
    now = datetime.now(settings.zone)
    return Check(True, f"time zone {settings.timezone}: it is {now:%a %d %b %H:%M} there now ({now:%Z})")
