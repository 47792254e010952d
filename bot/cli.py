"""The `headshot-bot` command: init, doctor, run, chat, db upgrade|backup, leads list|show|export, desk invite|revoke|people."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from bot.errors import ConfigError, ContentError
from bot.setup import register as register_setup

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="headshot-bot", description="Telegram consultation and lead-intake bot for a headshot studio.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {metadata.version('headshot-bot')}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the Telegram bot (long polling by default)")
    run.add_argument("--webhook", action="store_true", help="serve Telegram's webhook instead (WEBHOOK_URL, WEBHOOK_SECRET)")
    chat = sub.add_parser("chat", help="talk to the bot in this terminal (same engine, same database)")
    chat.add_argument("--name", default=None, help="the first name the bot sees (as a Telegram profile would give)")
    db = sub.add_parser("db", help="database schema and backups")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="migrate to the newest revision")
    backup = db_sub.add_parser("backup", help="a consistent copy of the database, safe while the bot runs")
    backup.add_argument("path", nargs="?", type=Path, default=None, help="file or folder to write (default: next to the database)")
    leads = sub.add_parser("leads", help="the photographer's leads")
    leads_sub = leads.add_subparsers(dest="leads_command", required=True)
    listing = leads_sub.add_parser("list", help="leads, newest first")
    listing.add_argument("--status", choices=["new", "contacted", "quoted", "booked", "lost"])
    show = leads_sub.add_parser("show", help="one lead with its conversation, history and open questions")
    show.add_argument("id", type=int)
    set_status = leads_sub.add_parser("set-status", help="move a lead to a status (recorded in its history)")
    set_status.add_argument("id", type=int)
    set_status.add_argument("status", choices=["new", "contacted", "quoted", "booked", "lost"])
    set_status.add_argument("--note", default=None, help="a note kept with the change")
    export = leads_sub.add_parser("export", help="all leads as CSV or JSON")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--output", type=Path, default=None, help="file to write (default: standard output)")
    desk = sub.add_parser("desk", help="who may use the desk: invite an assistant, revoke one, list them")
    desk_sub = desk.add_subparsers(dest="desk_command", required=True)
    invite = desk_sub.add_parser("invite", help="print a one-time code an assistant redeems with /join in a private chat")
    invite.add_argument("--hours", type=float, default=24.0, help="how long the code works (default: 24)")
    revoke = desk_sub.add_parser("revoke", help="take an assistant off the desk")
    revoke.add_argument("user_id", type=int, help="their Telegram user id (see `desk people`)")
    desk_sub.add_parser("people", help="the desk's people: from the settings, and assistants")
    ask = sub.add_parser("ask", help="print exactly the reply a prospect would get to a question")
    ask.add_argument("question", help='the question, or "-" to read one per line from standard input')
    ask.add_argument("--json", action="store_true", help='one JSON object per question: topic, score, answer, source')
    parse = sub.add_parser("parse", help="print what the bot understands from a message (topic and intake facts)")
    parse.add_argument("text", help='the message, or "-" to read one per line from standard input')
    parse.add_argument("--json", action="store_true", help="one JSON object per message")
    knowledge = sub.add_parser("knowledge", help="the content pack")
    knowledge_sub = knowledge.add_subparsers(dest="knowledge_command", required=True)
    knowledge_sub.add_parser("check", help="validate prompts/")
    knowledge_sub.add_parser("questions", help="questions the bot could not answer, still waiting for you")
    learned = knowledge_sub.add_parser("learned", help="answers you saved for everyone from Telegram")
    learned.add_argument("--yaml", action="store_true", help="print them in the pack's file format")
    learned.add_argument("--output", type=Path, default=None, help="write one prompts/knowledge-style file each into this folder")
    register_setup(sub, knowledge_sub)  # init, doctor, knowledge preview
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; a configuration problem is one line and exit status 2."""
    args = _parser().parse_args(argv)
    if (setup := getattr(args, "setup_command", None)) is not None:
        return int(setup(args))  # init and doctor load (or write) the settings themselves
    from bot.settings import load_settings

    try:
        settings = load_settings()
        from bot.logs import configure_logging

        secrets = tuple(s.get_secret_value() for s in (settings.telegram_bot_token, settings.openai_api_key) if s)
        configure_logging(settings.log_level if args.command == "run" else "WARNING", secrets, settings.log_format)
        if args.command == "run":
            settings.require_token()
            if args.webhook:
                settings.require_webhook()
        return _dispatch(args, settings)
    except (ConfigError, ContentError) as exc:
        print(f"headshot-bot: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, settings: object) -> int:
    from bot import commands

    if args.command == "db":
        if args.db_command == "backup":
            return commands.db_backup(settings, args.path)  # type: ignore[arg-type]
        return commands.db_upgrade(settings)  # type: ignore[arg-type]
    if args.command == "run":
        return commands.run(settings, args.webhook)  # type: ignore[arg-type]
    if args.command == "chat":
        return commands.chat(settings, args.name)  # type: ignore[arg-type]
    if args.command == "desk":
        from bot.desk import cli as desk_cli

        return asyncio.run(desk_cli.people_command(settings, args))  # type: ignore[arg-type]
    if args.command == "knowledge" and args.knowledge_command in ("questions", "learned"):
        return asyncio.run(commands.desk_knowledge(settings, args))  # type: ignore[arg-type]
    if args.command in ("ask", "parse", "knowledge"):
        return asyncio.run(commands.knowledge(settings, args))  # type: ignore[arg-type]
    return asyncio.run(commands.leads(settings, args))  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
