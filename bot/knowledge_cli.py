"""`headshot-bot ask`, `parse` and `knowledge check`: the knowledge pack from a terminal, one message per line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from bot.console import plain
from bot.engine.events import Reply
from bot.engine.parsing import extract
from bot.engine.prompts import fill_msg
from bot.engine.vocabulary import AnswerKind
from bot.pack_check import check_pack
from bot.services import Services


def messages(arg: str) -> Iterator[str]:
    """The message given, or one per line of standard input when it is "-"."""
    if arg != "-":
        yield arg
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


async def ask_result(services: Services, question: str) -> dict[str, Any]:
    """Exactly what a prospect would be told, with how it was decided and where it came from."""
    answerer = services.conversations.ctx.answerer
    match = answerer.retriever.match(question)  # type: ignore[attr-defined]
    decided = answerer.respond(question)
    source = "retrieval"
    answer = decided.text
    if decided.kind is AnswerKind.HANDOFF or answer is None:
        answer = fill_msg(services.content, "unknown_answer")
    elif services.phrasing is not None and decided.kind is AnswerKind.ENTRY and not decided.unanswered:
        answer, used_model = await services.phrasing.phrase(Reply(answer, question=question, entries=decided.entries))
        source = "llm" if used_model else "fallback"
    return {"kind": decided.kind.value, "topic": match.topic, "entries": list(decided.entries),
            "unanswered": list(decided.unanswered), "score": round(match.score, 4), "answer": plain(answer),
            "source": source}  # fmt: skip


def parse_result(services: Services, text: str) -> dict[str, Any]:
    """What the bot understands from one message: topic and intake facts."""
    match = services.conversations.ctx.answerer.retriever.match(text)  # type: ignore[attr-defined]
    now = datetime.now(UTC).astimezone(services.settings.zone)
    found = extract(text, now, services.content.intake)
    return {
        "topic": match.topic,
        "score": round(match.score, 4),
        "out_of_scope": match.out_of_scope,
        "facts": {
            "use": found.use,
            "people": found.people,
            "availability": [w.as_json() for w in found.availability.windows],
            "name": found.name,
            "email": found.email,
            "phone": found.phone,
        },
    }


async def ask(services: Services, arg: str, as_json: bool) -> int:
    """Print the reply to each question."""
    for question in messages(arg):
        result = await ask_result(services, question)
        if as_json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(result["answer"] if arg != "-" else " / ".join(result["answer"].splitlines()))
    return 0


def parse(services: Services, arg: str, as_json: bool) -> int:
    """Print what the bot reads in each message."""
    for text in messages(arg):
        result = parse_result(services, text)
        if as_json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            facts = {k: v for k, v in result["facts"].items() if v not in (None, [])}
            topic = f"{result['topic']} ({result['score']})" if result["topic"] else f"no topic ({result['score']})"
            print(f"{topic}; facts: {json.dumps(facts, ensure_ascii=False) if facts else 'none'}")
    return 0


def check(services: Services) -> int:
    """Validate the pack; exit 1 when there is an error."""
    findings = check_pack(services.content, services.conversations.ctx.answerer)  # type: ignore[arg-type]
    for finding in findings:
        print(f"{finding.level}: {finding.where}: {finding.message}")
    errors = sum(f.level == "error" for f in findings)
    entries = len(services.content.knowledge)
    print(f"{entries} entries, pack version {services.content.version}: {errors} errors, {len(findings) - errors} warnings")
    return 1 if errors else 0
