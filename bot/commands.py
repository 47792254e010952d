"""What each `headshot-bot` subcommand does, once the settings are valid."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError

from bot.content import ContentPack, load_content
from bot.errors import ConfigError
from bot.settings import Settings

log = logging.getLogger(__name__)


def _migrate(settings: Settings) -> None:
    from bot.services import upgrade_database

    try:
        upgrade_database(settings.database_url)
    except (OperationalError, OSError) as exc:
        raise ConfigError(f"DATABASE_URL: cannot open the database ({exc.__class__.__name__})") from None


def db_upgrade(settings: Settings) -> int:
    """`db upgrade`: migrate to the newest revision."""
    _migrate(settings)
    print("database is at the newest revision")
    return 0


def db_backup(settings: Settings, path: Path | None) -> int:
    """`db backup [PATH]`: a consistent copy of the database; exit 1 when none was written."""
    from bot.backup import backup_database

    result = backup_database(settings.database_url, path)
    print(result.line, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def run(settings: Settings, webhook: bool = False) -> int:
    """`run`: migrate, then poll Telegram (or serve its webhook) until stopped."""
    from bot.services import build_services
    from bot.telegram.app import PollingConflict
    from bot.telegram.polling import poll_telegram

    _migrate(settings)
    if webhook:
        return _serve_webhook(settings)
    services = build_services(settings)
    log_example_facts(services.content)
    try:
        asyncio.run(poll_telegram(services))
    except PollingConflict as exc:
        print(f"headshot-bot: {exc}", file=sys.stderr)
        return 1
    return 0


def log_example_facts(content: ContentPack) -> None:
    """One start-up line naming the studio facts prospects are told the photographer will confirm."""
    if keys := content.studio.example_facts:
        log.warning("studio facts still at their example (prospects are told you will confirm them): %s", ", ".join(keys))


def _serve_webhook(settings: Settings) -> int:
    import uvicorn

    from bot.telegram.webhook import register_webhook

    url, secret = settings.require_webhook()
    log_example_facts(load_content(settings.prompts_dir))
    asyncio.run(register_webhook(settings.require_token(), settings.telegram_api_base_url, url, secret))
    log.info("webhook registered; serving on %s:%d with %d worker(s)", settings.webhook_listen, settings.webhook_port, settings.webhook_workers)
    uvicorn.run(
        "bot.telegram.webhook:app_factory",
        factory=True,
        host=settings.webhook_listen,
        port=settings.webhook_port,
        workers=settings.webhook_workers,
        access_log=False,
        log_level="warning",
    )
    return 0


def chat(settings: Settings, name: str | None) -> int:
    """`chat`: the conversation in this terminal."""
    from bot.console import Console
    from bot.engine.events import Sender
    from bot.services import build_services

    _migrate(settings)

    async def talk() -> None:
        services = build_services(settings, show_examples=True)
        try:
            await services.learned.reload(services.sessionmaker)
            await Console(services, Sender(user_id=None, first_name=name)).loop()
        finally:
            await services.close()

    asyncio.run(talk())
    return 0


async def leads(settings: Settings, args: argparse.Namespace) -> int:
    """`leads list|show|set-status|export`."""
    from bot import export
    from bot.console import plain
    from bot.desk import cli as desk_cli
    from bot.engine.render import lead_card
    from bot.engine.vocabulary import LeadStatus
    from bot.services import build_services
    from db.leads import get_lead, list_leads
    from db.messages import recent_messages

    _migrate_in_thread = asyncio.to_thread(_migrate, settings)
    await _migrate_in_thread
    services = build_services(settings)
    try:
        if args.leads_command == "set-status":
            return await desk_cli.set_status(services, args.id, LeadStatus(args.status), args.note)
        async with services.sessionmaker() as session:
            if args.leads_command == "list":
                status = LeadStatus(args.status) if args.status else None
                for lead in await list_leads(session, status):
                    use = lead.intended_use or "-"
                    print(f"#{lead.id}\t{lead.created_at:%Y-%m-%d %H:%M}\t{lead.status.value}\t{use}\t{lead.name or '-'}")
                return 0
            if args.leads_command == "show":
                lead = await get_lead(session, args.id)
                if lead is None:
                    print(f"headshot-bot: no lead #{args.id}", file=sys.stderr)
                    return 1
                print(plain(lead_card(lead, services.content)).replace("New lead", "Lead", 1))
                print(f"Status: {lead.status.value}\n\nConversation:")
                for message in await recent_messages(session, lead.chat_id, limit=50):
                    print(f"  {message.created_at:%Y-%m-%d %H:%M} {message.direction.value:>3}: {plain(message.text)}")
                await desk_cli.print_history(session, services, lead)
                return 0
            rows = await list_leads(session)
            text = export.to_json(rows) if args.format == "json" else export.to_csv(rows)
            if args.output:
                args.output.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return 0
    finally:
        await services.close()


async def knowledge(settings: Settings, args: argparse.Namespace) -> int:
    """`ask`, `parse` and `knowledge check`."""
    from bot import knowledge_cli
    from bot.services import build_services

    if args.command == "ask":
        await asyncio.to_thread(_migrate, settings)  # saved answers and the model-answer cache live in the database
    services = build_services(settings, show_examples=args.command != "check")
    try:
        if args.command == "ask":
            await services.learned.reload(services.sessionmaker)
            return await knowledge_cli.ask(services, args.question, args.json)
        if args.command == "parse":
            return knowledge_cli.parse(services, args.text, args.json)
        return knowledge_cli.check(services)
    finally:
        await services.close()


async def desk_knowledge(settings: Settings, args: argparse.Namespace) -> int:
    """`knowledge questions` and `knowledge learned`."""
    from bot.desk import cli as desk_cli
    from bot.services import build_services

    await asyncio.to_thread(_migrate, settings)
    services = build_services(settings)
    try:
        if args.knowledge_command == "questions":
            return await desk_cli.print_questions(services)
        return await desk_cli.learned(services, args.yaml, args.output)
    finally:
        await services.close()
