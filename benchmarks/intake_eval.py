"""Offline intake reader benchmark: per-fact accuracy and read time on a labelled set of prospects' messages.

Run from the repo root: `python benchmarks/intake_eval.py [--set tune|test] [--quick] [-v] [--json FILE]`.
Each message goes through the real engine (`bot.engine.intake.decide`) with a fresh conversation at the item's
step, the item's `now` (default Monday 2026-12-07 10:00 in Vancouver) and the shipped content; the facts the
conversation holds afterwards are compared with the expected ones (conventions: tests/data/intake_conventions.md).
Tune on the tune set; run the held-out test set rarely, summary lines only (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml

from bot.content import ContentPack, load_content
from bot.engine import parsing
from bot.engine.answers import Answer
from bot.engine.events import Incoming, Sender, Text
from bot.engine.intake import EngineContext, decide
from bot.engine.state import ConversationState
from bot.engine.vocabulary import AnswerKind, Step

SETS = {name: ROOT / "tests" / "data" / f"intake_{name}.yaml" for name in ("tune", "tune2", "tune3", "tune4", "test")}
ZONE = ZoneInfo("America/Vancouver")
DEFAULT_NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZONE)
FACTS = ("use", "people", "availability", "name", "email", "phone")
QUICK_ITEMS = 12
WORST_CASE_RUNS = 50
# The sender's Telegram name is not part of the message, so the benchmark's sender has none.
NAMELESS = Sender(user_id=1)


class _NoAnswers:
    """Questions are not what this benchmark measures: the answerer knows nothing."""

    def answer(self, question: str) -> str | None:
        return None

    def respond(self, question: str) -> Answer:
        return Answer(AnswerKind.HANDOFF)


def load_set(path: Path, quick: bool = False) -> list[dict[str, Any]]:
    """The labelled items of a set file (every fourth one for a quick run)."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return items[::4][:QUICK_ITEMS] if quick else items


def read_facts(item: dict[str, Any], ctx: EngineContext) -> dict[str, Any]:
    """What the conversation holds after the engine has read this one message."""
    now = _now(item.get("now"))
    state = ConversationState(step=Step(item["step"]) if item.get("step") else Step.IDLE)
    decision = decide(state, Incoming(1, NAMELESS, Text(item["text"]), now), ctx)
    facts = decision.state.facts
    availability: Any = [_window(w) for w in facts.availability]
    if getattr(decision.state, "choices", None):
        availability = "conflict"
    elif facts.availability_flexible and not facts.availability:
        availability = "flexible"
    elif not availability:
        availability = None
    return {"use": facts.use, "people": facts.people, "availability": availability, "name": facts.name,
            "email": facts.email, "phone": facts.phone}  # fmt: skip


def _now(value: Any) -> datetime:
    if value is None:
        return DEFAULT_NOW
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=ZONE) if when.tzinfo is None else when.astimezone(ZONE)


def _window(window: Any) -> dict[str, Any]:
    start, end = getattr(window, "start", None), getattr(window, "end", None)
    return {
        "date": window.date.isoformat() if window.date else None,
        "weekday": window.weekday,
        "part": window.part_of_day,
        "start": start.strftime("%H:%M") if start else None,
        "end": end.strftime("%H:%M") if end else None,
    }


def score(expected: dict[str, Any], got: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """(right, counted) per fact for one item, by the rules in the module docstring of this benchmark."""
    out: dict[str, tuple[int, int]] = {}
    for fact in ("use", "people", "name", "email", "phone"):
        want, have = expected.get(fact), got.get(fact)
        if want is not None:
            out[fact] = (int(want == have), 1)
        elif have is not None:
            out[fact] = (0, 1)
    out["availability"] = _score_windows(expected.get("availability"), got.get("availability"))
    return out


def _score_windows(want: Any, have: Any) -> tuple[int, int]:
    if want in ("flexible", "conflict"):
        return int(have == want), 1
    if want == "vague":
        return int(not isinstance(have, list) or not any(w["date"] for w in have)), 1
    wanted = [_normal(w) for w in want or []]
    produced = [_normal(w) for w in have] if isinstance(have, list) else []
    right = sum(1 for w in wanted if w in produced)
    extra = sum(1 for w in produced if w not in wanted)
    if want is None and have in ("flexible", "conflict"):
        extra += 1
    return right, len(wanted) + extra


def _normal(window: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(None if window.get(k) is None else str(window.get(k)) for k in ("date", "weekday", "part", "start", "end"))


def evaluate(items: list[dict[str, Any]], ctx: EngineContext) -> dict[str, Any]:
    """Per-fact accuracy, misses and read times over a labelled set."""
    totals = {fact: [0, 0] for fact in FACTS}
    misses: list[dict[str, Any]] = []
    times: list[float] = []
    for item in items[:5]:
        read_facts(item, ctx)  # warm up: the holiday calendars and phrase tables are built on first use
    for item in items:
        started = time.perf_counter()
        got = read_facts(item, ctx)
        times.append((time.perf_counter() - started) * 1000)
        for fact, (right, counted) in score(item["expect"], got).items():
            totals[fact][0] += right
            totals[fact][1] += counted
            if right < counted:
                misses.append({"fact": fact, "want": item["expect"].get(fact), "got": got.get(fact), "text": item["text"]})
    right = sum(r for r, _ in totals.values())
    counted = sum(c for _, c in totals.values())
    return {
        "items": len(items),
        "facts": {fact: {"right": r, "counted": c, "accuracy": r / c if c else 1.0} for fact, (r, c) in totals.items()},
        "overall": right / counted if counted else 1.0,
        "engine_p50_ms": statistics.median(times) if times else 0.0,
        "engine_p99_ms": _percentile(times, 0.99),
        "misses": misses,
    }


def read_times(content: ContentPack, items: list[dict[str, Any]], runs: int) -> dict[str, float]:
    """p50/p99 of the reader (parsing.extract) on the set's messages and on 4,096-character worst cases."""
    texts = [item["text"] for item in items]
    for text in [*texts[:10], *worst_cases(texts)]:
        parsing.extract(text, DEFAULT_NOW, content.intake)  # steady state: phrase tables, holiday calendars built
    plain = [_timed(lambda t=t: parsing.extract(t, DEFAULT_NOW, content.intake)) for t in texts for _ in range(3)]
    worst = [_timed(lambda t=t: parsing.extract(t, DEFAULT_NOW, content.intake)) for t in worst_cases(texts) for _ in range(runs)]
    return {"p50_ms": statistics.median(plain), "p99_ms": _percentile(plain, 0.99),
            "worst_p50_ms": statistics.median(worst), "worst_p99_ms": _percentile(worst, 0.99)}  # fmt: skip


def worst_cases(texts: list[str]) -> list[str]:
    """4,096-character messages that give the reader the most to do: lists of dates, days and times, the set's
    own messages run together, and one long word."""
    rng = random.Random(12)
    dates = ", ".join(f"Dec {d} at {h}pm" for d in range(1, 32) for h in (1, 3, 5))
    days = " or ".join(rng.choice(["next Thursday morning", "Friday the 12th after 3", "weekday evenings except Monday",
                                   "Boxing Day", "12/21 before noon", "Thanks, Dana Li", "me and my 2 co-founders"])
                       for _ in range(400))  # fmt: skip
    joined = " ".join(rng.sample(texts, len(texts))) if texts else "Thursday"
    return [(s * (4096 // max(1, len(s)) + 1))[:4096] for s in (dates, days, joined, "a" * 10, "Dana " * 10)]


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    """Print the figures for the chosen set; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=sorted(SETS), default="test", help="labelled set to score (default: test)")
    parser.add_argument("--file", type=Path, help="a labelled set file instead of --set")
    parser.add_argument("--quick", action="store_true", help="small subset, for a CI smoke run")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss (never with the test set)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    content = load_content()
    ctx = EngineContext(content, _NoAnswers(), ZONE)
    items = load_set(args.file or SETS[args.set], quick=args.quick)
    result = evaluate(items, ctx)
    result["read"] = read_times(content, items, runs=3 if args.quick else WORST_CASE_RUNS)
    print(f"set: {args.file or args.set}{' (quick)' if args.quick else ''}  items: {result['items']}")
    for fact, figures in result["facts"].items():
        print(f"  {fact:<13} {figures['accuracy']:6.1%}  ({figures['right']}/{figures['counted']})")
    print(f"overall:       {result['overall']:6.1%}")
    read = result["read"]
    print(f"read time:     p50 {read['p50_ms']:.2f} ms, p99 {read['p99_ms']:.2f} ms")
    print(f"4,096 chars:   p50 {read['worst_p50_ms']:.2f} ms, p99 {read['worst_p99_ms']:.2f} ms (worst cases)")
    print(f"engine turn:   p50 {result['engine_p50_ms']:.2f} ms, p99 {result['engine_p99_ms']:.2f} ms")
    if args.verbose and args.set != "test":
        for miss in result["misses"]:
            print(f"  MISS {miss['fact']:<12} want={miss['want']!r}\n       got={miss['got']!r}\n       {miss['text']!r}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
