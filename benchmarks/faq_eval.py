"""Offline FAQ retrieval benchmark: top-1 accuracy, out-of-scope refusal and answer time on a labelled set.

Run from the repo root: `python benchmarks/faq_eval.py [--set eval|dev|dev2|dev3|dev4] [--quick] [-v] [--json FILE]`.
Tune on the dev sets; run the held-out eval set rarely, summary lines only (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml

from bot.content import load_content
from bot.knowledge import DEFAULT_THRESHOLD, PackAnswerer, Retriever

# eval is held out: check it at the end, never tune on it. dev is the tuning set; dev2 a later, messier slice for
# checking that a change generalises; dev3 the six AI topics and AI-image requests; dev4
# fresh wording for every topic, AI-image requests against questions about AI.
SETS = {name: ROOT / "tests" / "data" / f"faq_{name}.yaml" for name in ("eval", "dev", "dev2", "dev3", "dev4")}
QUICK_PER_TOPIC = 2
QUICK_OUT_OF_SCOPE = 10


def load_set(path: Path, quick: bool = False) -> tuple[list[tuple[str, str]], list[str]]:
    """The labelled (topic, question) pairs and out-of-scope questions of a set file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    in_scope = [(topic, q) for topic, qs in data["in_scope"].items() for q in (qs[:QUICK_PER_TOPIC] if quick else qs)]
    out_of_scope = list(data["out_of_scope"])
    return in_scope, out_of_scope[:QUICK_OUT_OF_SCOPE] if quick else out_of_scope


def evaluate(answerer: PackAnswerer, in_scope: list[tuple[str, str]], out_of_scope: list[str]) -> dict[str, Any]:
    """Accuracy, refusal, misses and timings of one answerer over a labelled set."""
    retriever = answerer.retriever
    misses: list[dict[str, Any]] = []
    correct = 0
    for topic, question in in_scope:
        found = retriever.match(question)
        if found.topic == topic and not found.out_of_scope:
            correct += 1
        else:
            misses.append({"kind": "in_scope", "expected": topic, "got": found.topic, "oos": found.out_of_scope, "score": round(found.score, 3), "q": question})
    refused = 0
    for question in out_of_scope:
        found = retriever.match(question)
        if found.topic is None or found.out_of_scope:
            refused += 1
        else:
            misses.append({"kind": "out_of_scope", "expected": None, "got": found.topic, "oos": False, "score": round(found.score, 3), "q": question})
    questions = [q for _, q in in_scope] + out_of_scope
    for question in questions[:20]:  # warm up caches (typo corrections) before timing
        answerer.answer(question)
    times: list[float] = []
    for question in questions:
        start = time.perf_counter()
        answerer.answer(question)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "accuracy": correct / len(in_scope) if in_scope else 0.0,
        "refusal": refused / len(out_of_scope) if out_of_scope else 0.0,
        "in_scope": len(in_scope),
        "out_of_scope": len(out_of_scope),
        "median_ms": statistics.median(times) if times else 0.0,
        "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0.0,
        "threshold": retriever.threshold,
        "misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures for the chosen set; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=sorted(SETS), default="eval", help="labelled set to score (default: eval)")
    parser.add_argument("--file", type=Path, help="a labelled set file instead of --set")
    parser.add_argument("--quick", action="store_true", help="small subset, for a CI smoke run")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="retrieval threshold")
    parser.add_argument("--sweep", action="store_true", help="also print accuracy and refusal across thresholds (for calibration)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    content = load_content()
    answerer = PackAnswerer(content, Retriever(content, threshold=args.threshold))
    in_scope, out_of_scope = load_set(args.file or SETS[args.set], quick=args.quick)
    result = evaluate(answerer, in_scope, out_of_scope)
    print(f"set: {args.file or args.set}{' (quick)' if args.quick else ''}  threshold: {result['threshold']}")
    print(f"top-1 accuracy:      {result['accuracy']:.1%}  ({result['in_scope']} questions)")
    print(f"out-of-scope refusal: {result['refusal']:.1%}  ({result['out_of_scope']} questions)")
    print(f"answer time:         median {result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms")
    if args.verbose:
        for miss in result["misses"]:
            got = f"{miss['got']}{' (oos)' if miss['oos'] else ''}"
            print(f"  MISS {miss['kind']:<12} want={miss['expected']!s:<20} got={got:<24} {miss['score']:.3f}  {miss['q']}")
    if args.sweep:
        retriever = answerer.retriever
        for step in range(20, 52, 2):
            retriever.threshold = step / 100
            swept = evaluate(answerer, in_scope, out_of_scope)
            total = swept["accuracy"] + swept["refusal"]
            print(f"  threshold {retriever.threshold:.2f}: accuracy {swept['accuracy']:.1%}  refusal {swept['refusal']:.1%}  sum {total:.3f}")
        retriever.threshold = args.threshold
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
