"""`headshot-bot knowledge preview`: each entry's first example question and the reply a prospect gets, in one read."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from bot.console import plain
from bot.content import ContentPack, load_content
from bot.engine.prompts import fill_msg
from bot.engine.vocabulary import AnswerKind
from bot.errors import ConfigError, ContentError
from bot.knowledge import PackAnswerer
from bot.settings import load_settings

EXIT_CONFIG = 2


def run_preview(args: argparse.Namespace) -> int:
    """`knowledge preview`: print one block per entry of the pack the settings name."""
    try:
        content = load_content(load_settings().prompts_dir)
    except (ConfigError, ContentError) as exc:
        print(f"headshot-bot: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for block in preview_blocks(content):
        print(block, end="\n\n")
    return 0


def preview_blocks(content: ContentPack) -> Iterator[str]:
    """For each entry: a heading, its first question and the reply as plain text (as Telegram shows it, no examples)."""
    answerer = PackAnswerer(content)
    for entry in content.knowledge:
        question = entry.questions[0]
        decided = answerer.respond(question)
        reply = decided.text
        if decided.kind is AnswerKind.HANDOFF or reply is None:
            reply = fill_msg(content, "unknown_answer")
        lines = [f"── {entry.id}: {entry.title}", f"Q: {question}", plain(reply)]
        if entry.id not in decided.entries:  # the prospect gets another entry's answer, or none
            lines.append(f"(this question does not reach {entry.id}: run headshot-bot knowledge check)")
        yield "\n".join(lines)
