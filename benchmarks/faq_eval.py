"""Consultation benchmark: does the bot answer with the right entry, hand off honestly, and refuse what is not its job?

Run from the repo root: `python benchmarks/faq_eval.py [--set tune|test] [--quick] [-v] [--json FILE]`.
The sets (tests/data/consult_*.yaml) were written blind, by writers who had not read the pack, and split once:
tune on `tune`; report `test`, summary lines only, and never tune on what it shows (see benchmarks/README.md).
Each item's `expect` lists the entries that answer it, or names what should happen instead: handoff (about the
studio, but no entry answers it), inquiry (other photography: the photographer replies), out_of_scope, injection
or abuse. Items with several questions also label each `part`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml

from bot.content import load_content
from bot.engine.answers import Answer
from bot.engine.vocabulary import AnswerKind
from bot.knowledge import PackAnswerer

SETS = {name: ROOT / "tests" / "data" / f"consult_{name}.yaml" for name in ("tune", "tune3", "tune4", "tune5", "tune6", "test")}
QUICK_ITEMS = 40
REFUSALS = {"out_of_scope": {AnswerKind.REDIRECT}, "injection": {AnswerKind.INJECTION, AnswerKind.REDIRECT},
            "abuse": {AnswerKind.ABUSE, AnswerKind.REDIRECT}}  # fmt: skip
NOT_ENTRIES = {"handoff", "inquiry", *REFUSALS}


@dataclass(frozen=True)
class Item:
    """One labelled message: the acceptable entries (or a category) for the whole and for each part."""

    q: str
    expect: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...] = ()

    @property
    def category(self) -> str:
        """handoff, inquiry, out_of_scope, injection, abuse, or `entry` when entries answer it."""
        return self.expect[0] if self.expect[0] in NOT_ENTRIES else "entry"


def load_set(path: Path, quick: bool = False) -> list[Item]:
    """The labelled items of a set file (every fourth one when quick, so every category stays)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = [
        Item(d["q"], tuple(_ids(d["expect"])), tuple(tuple(_ids(p)) for p in d.get("parts") or ()))
        for d in data
    ]
    return items[::4][:QUICK_ITEMS] if quick else items


def _ids(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def judge(item: Item, answer: Answer) -> str:
    """`right`, `handoff` (an entry would have answered; the photographer will), `wrong`, or `refused_wrongly`."""
    got = set(answer.entries)
    if item.category in REFUSALS:
        return "right" if answer.kind in REFUSALS[item.category] else ("wrong" if got else "refused_wrongly")
    if item.category == "inquiry":
        return "right" if answer.kind is AnswerKind.INQUIRY else ("wrong" if got else "handoff")
    if item.category == "handoff":  # an inquiry reaches the photographer too, and tells the prospect so
        return "right" if answer.for_photographer and not got else ("wrong" if got else "refused_wrongly")
    if item.parts:
        acceptable = {e for part in item.parts for e in part if e != "handoff"}
        if got - acceptable:
            return "wrong"
        covered = all(("handoff" in part and (answer.unanswered or answer.kind is AnswerKind.HANDOFF)) or got & set(part)
                      for part in item.parts)  # fmt: skip
        return "right" if covered else ("handoff" if answer.for_photographer or got else "refused_wrongly")
    if got & set(item.expect) and not got - set(item.expect):
        return "right"
    if got:
        return "wrong"
    return "handoff" if answer.for_photographer else "refused_wrongly"


def evaluate(answerer: PackAnswerer, items: list[Item]) -> dict[str, Any]:
    """The figures the issue asks for, over one set."""
    known = {e.id for e in answerer.content.knowledge}
    verdicts = [(item, answer := answerer.respond(item.q), judge(item, answer)) for item in items]
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    per_topic: dict[str, Counter[str]] = defaultdict(Counter)
    for item, _, verdict in verdicts:
        by_category[item.category][verdict] += 1
        if item.category == "entry" and not item.parts:
            per_topic[item.expect[0]][verdict] += 1
    in_domain = [v for i, _, v in verdicts if i.category in ("entry", "handoff")]
    covered = [v for i, _, v in verdicts if i.category == "entry" and set(i.expect) & known]
    refusals = [v for i, _, v in verdicts if i.category in REFUSALS]
    multi = [v for i, _, v in verdicts if i.parts]
    again = sum(answerer.respond(i.q) == a for i, a, _ in verdicts)
    return {
        "items": len(items),
        "in_domain": len(in_domain),
        "right_or_handoff": _share(in_domain, ("right", "handoff")),
        "right": _share(in_domain, ("right",)),
        "wrong_entry": _share(in_domain, ("wrong",)),
        "covered": len(covered),
        "covered_right": _share(covered, ("right",)),
        "refusals": len(refusals),
        "refused": _share(refusals, ("right",)),
        "refusal_wrong_entry": _share(refusals, ("wrong",)),
        "inquiries": sum(by_category["inquiry"].values()),
        "inquiry_right": _share([v for i, _, v in verdicts if i.category == "inquiry"], ("right",)),
        "multi_part": len(multi),
        "multi_part_covered": _share(multi, ("right",)),
        "same_words": again / len(items) if items else 1.0,
        "by_category": {k: dict(v) for k, v in sorted(by_category.items())},
        "per_topic": {k: dict(v) for k, v in sorted(per_topic.items())},
        "misses": [
            {"q": i.q, "expect": list(i.expect), "got": a.kind.value, "entries": list(a.entries), "verdict": v}
            for i, a, v in verdicts
            if v != "right"
        ],
        **_timing(answerer, items),
    }


def _share(verdicts: list[str], good: tuple[str, ...]) -> float:
    return sum(v in good for v in verdicts) / len(verdicts) if verdicts else 0.0


def _timing(answerer: PackAnswerer, items: list[Item]) -> dict[str, float]:
    times: list[float] = []
    for item in items:
        start = time.perf_counter()
        answerer.respond(item.q)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))]}


def main(argv: list[str] | None = None) -> int:
    """Print the figures for the chosen set; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=sorted(SETS), default="tune", help="labelled set to score (default: tune)")
    parser.add_argument("--quick", action="store_true", help="a quarter of the set, for a CI smoke run")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss (tune set only)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    content = load_content()
    answerer = PackAnswerer(content)
    result = evaluate(answerer, load_set(SETS[args.set], quick=args.quick))
    print(f"set: {args.set}{' (quick)' if args.quick else ''}  entries in the pack: {len(content.knowledge)}")
    print(f"in-domain ({result['in_domain']}): right entry or honest hand-off {result['right_or_handoff']:.1%}"
          f"  (right {result['right']:.1%}), wrong entry given as an answer {result['wrong_entry']:.1%}")  # fmt: skip
    print(f"questions an entry answers ({result['covered']}): right entry {result['covered_right']:.1%}")
    print(f"out-of-scope, injection, abuse ({result['refusals']}): refused {result['refused']:.1%},"
          f" answered with an entry {result['refusal_wrong_entry']:.1%}")  # fmt: skip
    print(f"adjacent inquiries ({result['inquiries']}): sent to the photographer as inquiries {result['inquiry_right']:.1%}")
    print(f"several-part questions ({result['multi_part']}): every part answered or handed off {result['multi_part_covered']:.1%}")
    print(f"same words for the same question: {result['same_words']:.1%}")
    print(f"answer time: median {result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms")
    print("per category: " + "; ".join(f"{k} {dict(v)}" for k, v in result["by_category"].items()))
    print("per topic (right/asked): " + ", ".join(f"{k} {v.get('right', 0)}/{sum(v.values())}" for k, v in result["per_topic"].items()))
    if args.verbose:
        if args.set == "test":
            print("(misses are not listed for the test set: it is not for tuning)")
        else:
            for miss in result["misses"]:
                print(f"  {miss['verdict']:<15} want={','.join(miss['expect']):<32} got={miss['got']}:{','.join(miss['entries']):<24} {miss['q'][:110]}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
