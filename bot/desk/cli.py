"""The desk from a terminal: a lead's history, status changes, open questions, learned answers, and its people."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import TelegramError
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.desk.service import Actor, DeskService
from bot.engine.vocabulary import LeadStatus
from bot.errors import ConfigError
from bot.learned import entry_yaml, pack_entry, pack_yaml
from bot.services import Services, build_services, upgrade_database
from bot.settings import Settings
from db.desk import lead_events, open_questions_of_chat
from db.learned import list_learned_answers
from db.models import Lead
from db.people import list_assistants
from db.questions import list_questions


def _when(services: Services, moment: object) -> str:
    return f"{moment.astimezone(services.settings.zone):%Y-%m-%d %H:%M}"  # type: ignore[attr-defined]


def _one_line(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def print_history(session: AsyncSession, services: Services, lead: Lead, out: TextIO = sys.stdout) -> None:
    """A lead's status changes and notes, then its chat's open questions."""
    out.write("\nHistory:\n")
    events = await lead_events(session, lead.id)
    for event in events:
        old, new = event.old_status.value, event.new_status.value
        change = new if old == new else f"{old} -> {new}"
        note = f": {event.note}" if event.note else ""
        out.write(f"  {_when(services, event.created_at)} {event.actor} {change}{note}\n")
    if not events:
        out.write("  (no changes yet)\n")
    questions = await open_questions_of_chat(session, lead.chat_id)
    if questions:
        out.write("\nOpen questions:\n")
        for question in questions:
            out.write(f"  #{question.id} {_when(services, question.created_at)}: {_one_line(question.text)}\n")


async def set_status(services: Services, lead_id: int, status: LeadStatus, note: str | None) -> int:
    """`leads set-status ID STATUS [--note TEXT]`: recorded as a lead event by "cli"."""
    change = await DeskService(services.sessionmaker, services.settings).set_status(Actor.terminal(), lead_id, status, note=note)
    lead, event = change.lead, change.event
    if lead is None:
        print(f"headshot-bot: no lead #{lead_id}", file=sys.stderr)
        return 1
    if event is None:
        print(f"lead #{lead_id} is already {status.value}")
        return 0
    print(f"lead #{lead_id}: {event.old_status.value} -> {event.new_status.value}")
    if services.settings.telegram_bot_token is not None and services.settings.admin_chat_ids:
        print(await _refresh_cards(services, lead_id))
    return 0


async def _refresh_cards(services: Services, lead_id: int) -> str:
    """Edit the lead's cards in the admin chats as the bot would after a tap; a line saying how that went."""
    from bot.desk.notify import DeskSender, load_desk
    from bot.desk.unsettled import Unsettled
    from bot.telegram.app import bot_defaults

    settings = services.settings
    request = HTTPXRequest(connect_timeout=5.0, read_timeout=10.0)  # a terminal should not hang on a lost network
    bot = ExtBot(settings.require_token(), base_url=settings.telegram_api_base_url, defaults=bot_defaults(),
                 request=request)  # fmt: skip
    try:
        async with bot:
            edited = await DeskSender(bot, services, load_desk(services), Unsettled()).refresh(lead_id)
    except TelegramError as exc:
        return f"its cards in Telegram were not edited ({exc.__class__.__name__}): they show it after the next change"
    return f"its cards in Telegram were edited ({edited})"


async def print_questions(services: Services) -> int:
    """`knowledge questions`: every question still waiting for the photographer, oldest first."""
    async with services.sessionmaker() as session:
        questions = await list_questions(session)
    for question in questions:
        where = f"lead #{question.lead_id}" if question.lead_id else f"chat {question.chat_id}"
        print(f"#{question.id}\t{_when(services, question.created_at)}\t{where}\t{_one_line(question.text)}")
    return 0


async def learned(services: Services, as_yaml: bool, output: Path | None) -> int:
    """`knowledge learned [--yaml] [--output DIR]`: list the learned answers, or export them in the pack's format."""
    async with services.sessionmaker() as session:
        rows = await list_learned_answers(session)
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        for row in rows:
            entry = pack_entry(row)
            (output / f"{entry.id}.yaml").write_text(entry_yaml(entry), encoding="utf-8")
        print(f"{len(rows)} learned answers written to {output}")
    elif as_yaml:
        sys.stdout.write(pack_yaml(rows))
    else:
        for row in rows:
            print(f"#{row.id}\t{_when(services, row.created_at)}\t{row.actor}\t{row.title}\t{_one_line(row.answer, 60)}")
    return 0


async def people_command(settings: Settings, args: argparse.Namespace) -> int:
    """`desk invite|revoke|people`, on a database brought to the newest revision first."""
    try:
        await asyncio.to_thread(upgrade_database, settings.database_url)
    except (OperationalError, OSError) as exc:
        raise ConfigError(f"DATABASE_URL: cannot open the database ({exc.__class__.__name__})") from None
    services = build_services(settings)
    try:
        if args.desk_command == "invite":
            return await invite(services, args.hours)
        if args.desk_command == "revoke":
            return await revoke(services, args.user_id)
        return await people(services)
    finally:
        await services.close()


async def invite(services: Services, hours: float) -> int:
    """`desk invite`: a one-time code for an assistant, redeemed with /join CODE in a private chat with the bot."""
    invitation = await DeskService(services.sessionmaker, services.settings).invite(Actor.terminal(), timedelta(hours=hours))
    print(f"Invitation code: {invitation.code}")
    print(f"Your assistant sends /join {invitation.code} to the bot in a private chat, before {_when(services, invitation.expires_at)}.")
    print("It works once; `headshot-bot desk revoke USER_ID` takes them off the desk again.")
    return 0


async def revoke(services: Services, user_id: int) -> int:
    """`desk revoke USER_ID`: the assistant's next tap or command is refused."""
    if await DeskService(services.sessionmaker, services.settings).revoke(Actor.terminal(), user_id):
        print(f"user {user_id} is off the desk")
        return 0
    if user_id in services.settings.desk_user_ids:
        print(f"headshot-bot: user {user_id} is named in ADMIN_USER_IDS or ADMIN_CHAT_IDS; remove them there", file=sys.stderr)
    else:
        print(f"headshot-bot: user {user_id} is not an assistant", file=sys.stderr)
    return 1


async def people(services: Services) -> int:
    """`desk people`: who may use the desk, from the settings and by invitation."""
    for user_id in sorted(services.settings.desk_user_ids):
        print(f"{user_id}\tsettings")
    async with services.sessionmaker() as session:
        for row in await list_assistants(session):
            state = f"revoked {_when(services, row.revoked_at)} by {row.revoked_by}" if row.revoked_at else "assistant"
            print(f"{row.user_id}\t{state}\t{row.name}\tjoined {_when(services, row.joined_at)}, invited by {row.invited_by}")
    return 0
