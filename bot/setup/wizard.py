"""`headshot-bot init`: the token (checked with getMe), `.env`, an editable copy of the pack, the studio's main facts,
and a one-time desk invitation that links the photographer's own Telegram account (bot.linking).

Re-runnable: a value already in `.env`, or a fact the photographer changed from the shipped file, is replaced only
after a yes (or with --yes); typing a new answer at a prompt that shows the current value is that yes.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import SQLAlchemyError

from bot.content import PACKAGED_PROMPTS
from bot.desk.service import Actor, DeskService
from bot.errors import ConfigError
from bot.linking import linked_chats
from bot.services import upgrade_database
from bot.settings import TOKEN_PATTERN, Settings, load_settings
from bot.setup.doctor import probe_token
from bot.setup.envfile import read_env, write_env
from bot.setup.prompter import Prompter, Validator
from bot.setup.studio_file import FactFields, FactState, read_facts, write_fact
from db.session import make_engine, make_sessionmaker

ENV_FILE = Path(".env")
DEFAULT_PROMPTS_DIR = "./prompts"
DEFAULT_ZONE = str(Settings.model_fields["timezone"].default)
CONFIRM_WORDS = ("i'll confirm", "ill confirm", "i will confirm", "confirm", "-")
EXIT_USAGE = 2
LINK_TTL = timedelta(days=7)  # the photographer may run `init` days before the first `run`


def _token_problem(value: str) -> str | None:
    return None if TOKEN_PATTERN.fullmatch(value) else "that is not a bot token (digits, a colon, letters): copy it from @BotFather"


def _zone_problem(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}: use a name such as America/Vancouver or America/Toronto"
    return None


def _email_problem(value: str) -> str | None:
    if value.lower() in CONFIRM_WORDS:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return f"{value!r} is not an email address"
    return None


@dataclass(frozen=True)
class FactQuestion:
    """A studio fact `init` asks for, and the flag that answers it."""

    key: str
    flag: str
    question: str
    check: Validator | None = None
    several_lines: bool = False


FACT_QUESTIONS = (
    FactQuestion("studio_name", "studio_name", "Studio name"),
    FactQuestion("photographer", "photographer", "Photographer's name (as prospects should read it)"),
    FactQuestion("city", "city", "City"),
    FactQuestion("packages", "packages", "Packages and prices, one per line, then an empty line (or: I'll confirm)", several_lines=True),
    FactQuestion("contact_email", "email", "Contact email for prospects", check=_email_problem),
)


def run_init(args: argparse.Namespace) -> int:
    """`init`: set up this folder for the bot; exit 0 when done, 1 when Telegram refuses, 2 on a bad flag."""
    prompter = Prompter(args.yes)
    for value, check in ((args.token, _token_problem), (args.timezone, _zone_problem), (args.email, _email_problem)):
        if value is not None and (problem := check(value)):
            print(f"headshot-bot init: {problem}", file=sys.stderr)
            return EXIT_USAGE
    env = read_env(ENV_FILE)
    updates: dict[str, str] = {}
    token = _settle(prompter, "TELEGRAM_BOT_TOKEN", env, args.token, "Bot token from @BotFather", _token_problem, secret=True)
    if not token:
        prompter.say("✗ no bot token: create a bot with @BotFather (/newbot), then run headshot-bot init --token TOKEN")
        return 1
    base_url = env.get("TELEGRAM_API_BASE_URL") or str(Settings.model_fields["telegram_api_base_url"].default)
    if args.api_base_url:
        base_url = updates["TELEGRAM_API_BASE_URL"] = _settle(prompter, "TELEGRAM_API_BASE_URL", env, args.api_base_url, "", None)
    checked, username = asyncio.run(probe_token(token, base_url))
    prompter.say(checked.line())
    if username is None:
        return 1
    updates["TELEGRAM_BOT_TOKEN"] = token
    updates["TIMEZONE"] = _settle(prompter, "TIMEZONE", env, args.timezone, "Studio time zone", _zone_problem, default=DEFAULT_ZONE)
    prompts = updates["PROMPTS_DIR"] = _settle(prompter, "PROMPTS_DIR", env, DEFAULT_PROMPTS_DIR, "", None, ask=False)
    write_env(ENV_FILE, {k: v for k, v in updates.items() if env.get(k) != v})
    prompter.say(f"✓ settings written to {ENV_FILE.resolve()} (readable by you only)")
    prompts_dir = Path(prompts)
    if not prompts_dir.exists():
        shutil.copytree(PACKAGED_PROMPTS, prompts_dir)
        prompter.say(f"✓ the shipped pack copied to {prompts_dir}/ for you to edit")
    _ask_facts(prompter, args, prompts_dir / "studio.yaml")
    return _finish(prompter, username)


def _settle(prompter: Prompter, name: str, env: dict[str, str], given: str | None, question: str,
            check: Validator | None, *, secret: bool = False, ask: bool = True, default: str = "") -> str:  # fmt: skip
    """The value a setting ends with: a flag or an answer, else what `.env` has; a flag replaces only after a yes."""
    current = env.get(name)
    if given is None and ask and not prompter.assume_yes:
        shown = current or default
        hint = ("(already set: Enter keeps it)" if secret else f"[{shown}]") if shown else ""
        return prompter.ask(f"{question} {hint}: ".replace(" :", ":"), secret=secret, check=check) or shown
    if given is None or current in (None, given):
        return given or current or default
    old = "the one already in .env" if secret else repr(current)
    new = "the token given" if secret else repr(given)
    if prompter.confirm(f"{name} is {old}; replace it with {new}?"):
        return given
    prompter.say(f"  kept {name} as it is in .env")
    return current


def _ask_facts(prompter: Prompter, args: argparse.Namespace, studio: Path) -> None:
    """Each main fact from its flag or an answer, written as `value:` into studio.yaml."""
    facts = read_facts(studio)
    shipped = read_facts(PACKAGED_PROMPTS / "studio.yaml")
    written = 0
    for question in FACT_QUESTIONS:
        if question.key not in facts:
            prompter.say(f"  {studio} has no fact {question.key}; skipped")
            continue
        fields = _settle_fact(prompter, question, facts[question.key], shipped.get(question.key), getattr(args, question.flag))
        if fields is not None:
            if not write_fact(studio, question.key, fields):
                prompter.say(f"  {studio} was rewritten whole to hold {question.key} (its comments are gone)")
            written += 1
    prompter.say(f"✓ {studio}: {written} fact(s) written; the other facts there are yours to fill in (value: lines)")


def _settle_fact(prompter: Prompter, question: FactQuestion, now: FactState, shipped: FactState | None,
                 given: str | None) -> FactFields | None:  # fmt: skip
    """The fields to write for one fact, or None to leave it as it is."""
    consented = False
    if given is None and not prompter.assume_yes:
        hint = f"[{_one_line(now.value)}]" if now.value else (f"(e.g. {_one_line(now.example)})" if now.example else "")
        given = (
            prompter.ask_lines(f"{question.question} {hint}")
            if question.several_lines
            else prompter.ask(f"{question.question} {hint}: ", check=question.check)
        )
        consented = True
    if not given:
        return None
    confirm = given.strip().lower() in CONFIRM_WORDS
    value = None if confirm else given.replace("\\n", "\n").strip()
    wanted = FactState(None, None) if confirm else FactState(value, now.example)
    if wanted == now:
        return None
    edited = now != shipped and (now.value is not None or shipped is not None)
    old = repr(now.value) if now.value else "set to be confirmed by you"
    if edited and not consented and not prompter.confirm(f"{question.key} is {old} in studio.yaml; replace it?"):
        prompter.say(f"  kept {question.key} as it is in studio.yaml")
        return None
    return {"value": None, "example": None} if confirm else {"value": value}


def _one_line(text: str) -> str:
    lines = text.splitlines()
    return lines[0] + (" …" if len(lines) > 1 else "")


def _finish(prompter: Prompter, username: str) -> int:
    """Migrate the database the settings name, and say what comes next."""
    try:
        settings = load_settings()
        upgrade_database(settings.database_url)
    except ConfigError as exc:
        prompter.say(f"✗ the settings do not load ({exc}): fix that line in .env")
        return EXIT_USAGE
    except (SQLAlchemyError, OSError) as exc:
        prompter.say(f"✗ cannot open the database ({exc.__class__.__name__}): check DATABASE_URL, then run headshot-bot db upgrade")
        return 1
    prompter.say("✓ database ready")
    for line in asyncio.run(_link_desk(settings, username)):
        prompter.say(line)
    prompter.say("Next:")
    prompter.say("  headshot-bot knowledge preview  read how the bot answers each question")
    prompter.say("  headshot-bot doctor             check everything, then: headshot-bot run")
    return 0


async def _link_desk(settings: Settings, username: str) -> list[str]:
    """Where lead cards will go; with no desk yet, a one-time invitation the photographer sends to the bot."""
    if settings.admin_chat_ids:
        return [f"✓ lead cards go to ADMIN_CHAT_IDS ({len(settings.admin_chat_ids)} chat(s))"]
    engine = make_engine(settings.database_url)
    try:
        sessionmaker = make_sessionmaker(engine)
        if linked := await linked_chats(sessionmaker):
            return [f"✓ lead cards go to the private chat of {len(linked)} linked account(s) (see: headshot-bot desk people)"]
        invitation = await DeskService(sessionmaker, settings).invite(Actor.terminal(), LINK_TTL)
    finally:
        await engine.dispose()
    until = invitation.expires_at.astimezone(settings.zone).strftime("%a %b %d, %H:%M")
    return [
        "→ link your own Telegram account, so lead cards come to you: once `headshot-bot run` is running, send",
        f"      /join {invitation.code}",
        f"  to @{username} in a private chat, from your account (https://t.me/{username}); the code works once, until {until}",
    ]
