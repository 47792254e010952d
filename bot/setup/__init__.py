"""Set-up commands: `init`, `doctor` and `knowledge preview`, for a photographer going from install to a live bot.

`register(subparsers)` adds them to the `headshot-bot` parser. Each parsed command carries `setup_command`, a
function of the parsed arguments returning the exit status; it loads the settings itself (`init` runs before there
are any, `doctor` reports a failure to load them as its first check), so it is called before `load_settings()`.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.setup.doctor import run_doctor
from bot.setup.preview import run_preview
from bot.setup.wizard import run_init

SubParsers = Any  # argparse's private _SubParsersAction: what add_subparsers() returns


def register(subparsers: SubParsers, knowledge_subparsers: SubParsers | None = None) -> None:
    """Add `init` and `doctor` to the top-level subcommands, and `preview` to `knowledge`'s (found or made)."""
    init = subparsers.add_parser("init", help="set up this folder: token, .env, an editable prompts/, the studio's facts")
    init.add_argument("--token", help="the bot token from @BotFather (checked with getMe)")
    init.add_argument("--api-base-url", help="the Bot API address, if not api.telegram.org (TELEGRAM_API_BASE_URL)")
    init.add_argument("--studio-name", help="the studio's name")
    init.add_argument("--photographer", help="the photographer's name, as prospects should read it")
    init.add_argument("--city", help="the studio's city")
    init.add_argument("--timezone", help="the studio's time zone, e.g. America/Vancouver")
    init.add_argument("--packages", help='packages and prices, one per line (a literal \\n also breaks), or "I\'ll confirm"')
    init.add_argument("--email", help="the contact email prospects are given")
    init.add_argument("--yes", action="store_true", help="ask nothing: keep what is not given, replace what is")
    init.set_defaults(setup_command=run_init)
    doctor = subparsers.add_parser("doctor", help="check the set-up, one line per check (exit 1 if any fails)")
    doctor.set_defaults(setup_command=run_doctor)
    knowledge = knowledge_subparsers if knowledge_subparsers is not None else _knowledge_subparsers(subparsers)
    preview = knowledge.add_parser("preview", help="each entry's first example question and the reply a prospect gets")
    preview.set_defaults(setup_command=run_preview)


def _knowledge_subparsers(subparsers: SubParsers) -> SubParsers:
    """The `knowledge` command's own subcommands, adding `knowledge` when the parser has none yet."""
    parser = subparsers.choices.get("knowledge")
    if parser is None:
        parser = subparsers.add_parser("knowledge", help="the content pack")
        return parser.add_subparsers(dest="knowledge_command", required=True)
    # argparse keeps a parser's subcommands only in its actions; this finds `knowledge check`'s group to join it.
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
