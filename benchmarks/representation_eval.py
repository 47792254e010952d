"""Word overlap against sentence embeddings for choosing a knowledge entry: accuracy, answer-or-hand-off, cost.

Run from the repo root: `python benchmarks/representation_eval.py --set tune [--quick]`. It compares today's
retrieval (`Retriever.rank`: TF-IDF, fuzzy and naive Bayes blended), wordllama embeddings (`benchmarks/lib/embeddings.py`) and
a*tfidf + (1-a)*embed. Only the tune split is read unless `--set test` is asked for (summary lines only).
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml

from bot.content import load_content
from bot.knowledge import INJECTION_TOPIC, Retriever

try:
    import numpy as np

    from benchmarks.lib.embeddings import EmbeddingScorer, load_model
except ImportError:  # wordllama is not a dependency (measured and not chosen: see pyproject.toml); install it to measure
    np = None  # type: ignore[assignment]

SETS = {name: ROOT / "tests" / "data" / f"consult_{name}.yaml" for name in ("tune", "test")}
LABELS = {"handoff", "inquiry", "out_of_scope", "injection", "abuse"}
NOT_ANSWERABLE = {"inquiry", "out_of_scope", "injection", "abuse"}
QUICK_ITEMS = 40
MAX_WRONG = 0.02  # wrong entry given as an answer, as a share of in-domain items
ALPHAS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
QUICK_ALPHAS = (0.3, 0.5, 0.8)
Scores = dict[str, tuple[bool, float]]  # topic -> (out of scope, score)

# Run in a fresh interpreter: what loading wordllama and embedding the pack adds to a bot that already has its pack.
FOOTPRINT = """
import json, sys, time
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
t0 = time.perf_counter()
from bot.content import load_content
from bot.knowledge import Retriever
content = load_content()
Retriever(content)
t1 = time.perf_counter(); before = rss()
import numpy
t2 = time.perf_counter(); with_numpy = rss()
import benchmarks.lib.embeddings as embeddings
t3 = time.perf_counter(); imported = rss()
model = embeddings.load_model()
t4 = time.perf_counter(); loaded = rss()
scorer = embeddings.EmbeddingScorer(content, model)
scorer.scores('how much is a headshot')
t5 = time.perf_counter()
print(json.dumps({'bot_start_s': t1 - t0, 'numpy_import_s': t2 - t1, 'import_s': t3 - t1, 'load_s': t4 - t3,
    'embed_pack_s': t5 - t4, 'startup_s': t5 - t1, 'rss_before_mb': before, 'rss_numpy_mb': with_numpy - before,
    'rss_import_mb': imported - before, 'rss_model_mb': loaded - imported, 'rss_extra_mb': rss() - before}))
"""


@dataclass(frozen=True)
class Item:
    """A labelled question: `kind` is entry, handoff, uncovered (its entries are not in the pack yet) or oos."""

    q: str
    kind: str
    ids: frozenset[str]
    handoff_ok: bool  # handing off is a right outcome too
    label: str


def load_items(path: Path, entry_ids: set[str], quick: bool) -> list[Item]:
    """The set's items, sorted into kinds against the pack's entries; `quick` keeps an even spread of 40."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if quick:
        step = max(1, len(raw) // QUICK_ITEMS)
        raw = raw[::step][:QUICK_ITEMS]
    items = []
    for it in raw:
        expect = list(it["expect"])
        labels = [e for e in expect if e in LABELS]
        ids = frozenset(e for e in expect if e not in LABELS and e in entry_ids)
        if set(labels) & NOT_ANSWERABLE:
            kind = "oos"
        elif expect == ["handoff"]:
            kind = "handoff"
        elif ids:
            kind = "entry"
        else:
            kind = "uncovered"
        handoff_ok = "handoff" in labels or kind == "handoff"
        items.append(Item(it["q"], kind, ids, handoff_ok, labels[0] if labels else "entry"))
    return items


def as_scores(ranked: list[tuple[str, bool, float]]) -> Scores:
    """A ranking as a lookup by topic."""
    return {topic: (oos, score) for topic, oos, score in ranked}


def blend(tfidf: Scores, embed: Scores, alpha: float) -> Scores:
    """alpha * tfidf + (1 - alpha) * embed, per topic."""
    return {t: (oos, alpha * s + (1 - alpha) * embed[t][1]) for t, (oos, s) in tfidf.items()}


@dataclass
class Outcome:
    """One representation's view of every item: best entry, its score and margin, and whether out of scope led."""

    best: list[str]
    score: np.ndarray
    margin: np.ndarray
    oos_first: list[bool]


def outcome(per_item: list[Scores]) -> Outcome:
    """Best entry, score, margin to the next entry and whether an out-of-scope topic ranks first, per item."""
    best, score, margin, oos_first = [], [], [], []
    for scores in per_item:
        entries = sorted(((s, t) for t, (oos, s) in scores.items() if not oos), reverse=True) + [(0.0, "")] * 2
        top_oos = max((s for oos, s in scores.values() if oos), default=-1.0)
        best.append(entries[0][1])
        score.append(entries[0][0])
        margin.append(entries[0][0] - entries[1][0])
        oos_first.append(top_oos > entries[0][0])
    return Outcome(best, np.array(score), np.array(margin), oos_first)


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """P(a random positive scores above a random negative), ties counting half."""
    if not len(positive) or not len(negative):
        return float("nan")
    diff = positive[:, None] - negative[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def operating_point(
    out: Outcome, items: list[Item], with_margin: bool, uncovered_as_handoff: bool, fine: bool
) -> dict[str, float]:
    """The threshold (and margin) with the most right outcomes among those giving <= 2 % wrong answers."""
    kinds = ("entry", "handoff", "uncovered") if uncovered_as_handoff else ("entry", "handoff")
    keep = [i for i, it in enumerate(items) if it.kind in kinds]
    score, margin = out.score[keep], out.margin[keep]
    correct = np.array([out.best[i] in items[i].ids for i in keep])
    handoff_ok = np.array([items[i].handoff_ok or items[i].kind == "uncovered" for i in keep])
    if fine:
        thresholds = np.append(np.unique(score), np.inf)
        margins = np.append(0.0, np.unique(np.round(margin, 3))) if with_margin else np.zeros(1)
    else:
        thresholds = np.append(np.quantile(score, np.linspace(0, 1, 21)), np.inf)
        margins = np.quantile(margin, np.linspace(0, 0.8, 9)) if with_margin else np.zeros(1)
    answered = (score[None, None, :] >= thresholds[:, None, None]) & (margin[None, None, :] >= margins[None, :, None])
    wrong = (answered & ~correct).sum(axis=2) / len(keep)
    right = ((answered & correct) | (~answered & handoff_ok)).sum(axis=2) / len(keep)
    allowed = np.where(wrong <= MAX_WRONG + 1e-9, right - wrong * 1e-3, -1.0)
    t, m = np.unravel_index(np.argmax(allowed), allowed.shape)
    return {"threshold": float(thresholds[t]), "margin": float(margins[m]), "right": float(right[t, m]),
            "wrong": float(wrong[t, m]), "n": len(keep)}


def latency(fn: Callable[[str], object], questions: list[str]) -> tuple[float, float]:
    """Median and p95 milliseconds of fn over the questions, after a warm-up pass."""
    for q in questions[:20]:
        fn(q)
    times = []
    for q in questions:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def footprint(runs: int) -> dict[str, float]:
    """Median start-up times and RSS added by wordllama, over fresh interpreters."""
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", FOOTPRINT], cwd=ROOT, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(r[k] for r in results) for k in results[0]}


def _closure(name: str) -> set[str]:
    """The installed distributions `name` needs at run time (extras left out), itself included."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if current in seen:
            continue
        try:
            requires = metadata.requires(current) or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(current)
        todo += [m.group() for r in requires if "extra ==" not in r and (m := re.match(r"[A-Za-z0-9._-]+", r))]
    return seen


def disk_footprint() -> list[tuple[str, str, float]]:
    """Each distribution wordllama brings that the bot does not already need: name, version, installed MB."""
    extra = _closure("wordllama") - _closure("headshot-bot")
    rows = []
    for name in sorted(extra):
        dist = metadata.distribution(name)
        size = sum(f.size or 0 for f in dist.files or ())
        rows.append((dist.metadata["Name"], dist.version, size / 1e6))
    return sorted(rows, key=lambda r: -r[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="tune")
    parser.add_argument("--quick", action="store_true", help="40 items, coarse sweeps, one footprint run")
    args = parser.parse_args(argv)
    if np is None:
        print("wordllama is not installed: `pip install wordllama` to measure embeddings (see pyproject.toml)")
        return 0

    content = load_content()
    entry_ids = {e.id for e in content.knowledge}
    items = load_items(SETS[args.set], entry_ids, args.quick)
    questions = [it.q for it in items]
    kinds = {k: sum(it.kind == k for it in items) for k in ("entry", "uncovered", "handoff", "oos")}
    print(f"pack: {len(entry_ids)} entries, {len(content.out_of_scope.topics)} out-of-scope topics; set {args.set}: "
          f"{len(items)} items ({kinds['entry']} covered, {kinds['uncovered']} skipped: no expected entry in the pack, "
          f"{kinds['handoff']} handoff, {kinds['oos']} out of scope/inquiry/abuse/injection)")

    start = time.perf_counter()
    retriever = Retriever(content)
    tfidf_build = time.perf_counter() - start
    start = time.perf_counter()
    model = load_model()
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    scorer = EmbeddingScorer(content, model)
    embed_build = time.perf_counter() - start
    raw_scorer = EmbeddingScorer(content, model, lower=False, center=False)

    tfidf = [as_scores(retriever.rank(q)) for q in questions]
    embed = {p: [as_scores(scorer.scores(q, p)) for q in questions] for p in ("max", "top2")}
    raw = [as_scores(raw_scorer.scores(q)) for q in questions]
    reps: dict[str, list[Scores]] = {"tfidf": tfidf, "embed max": embed["max"], "embed top2": embed["top2"],
                                     "embed max, raw": raw}
    for pooling in ("max", "top2"):
        for a in QUICK_ALPHAS if args.quick else ALPHAS:
            reps[f"blend {pooling} a={a:.1f}"] = [blend(t, e, a) for t, e in zip(tfidf, embed[pooling], strict=True)]

    def blended(q: str) -> list[tuple[str, tuple[bool, float]]]:
        mixed = blend(as_scores(retriever.rank(q)), as_scores(scorer.scores(q)), 0.5)
        return sorted(mixed.items(), key=lambda r: -r[1][1])

    lat = {"tfidf": latency(retriever.rank, questions), "embed": latency(scorer.scores, questions),
           "blend": latency(blended, questions)}
    guard = [retriever.match(it.q).topic == INJECTION_TOPIC for it in items if it.kind == "oos"]

    print(f"\n'raw' = no lower-casing, no mean-centring; 'top2' = mean of a topic's two best examples; +/- = covered "
          f"items right (wrong) at top-1 that tfidf gets wrong (right). Operating points keep wrong answers "
          f"<= {MAX_WRONG:.0%} of in-domain items; R = right entry or hand-off, W = wrong entry.")
    header = (f"{'representation':<18} {'top-1':>6} {'+/-':>6} {'AUC':>5} | {'thr':>6} {'R':>6} {'W':>5} | "
              f"{'thr':>6} {'marg':>5} {'R':>6} {'W':>5} | {'R+unc':>6} | {'oos 1st':>7} | {'p50 ms':>6} {'p95 ms':>6}")
    print(header)
    print("-" * len(header))
    fine = not args.quick
    entry_idx = [i for i, it in enumerate(items) if it.kind == "entry"]
    handoff_idx = [i for i, it in enumerate(items) if it.kind == "handoff"]
    oos_idx = [i for i, it in enumerate(items) if it.kind == "oos"]
    base = outcome(tfidf)
    base_top1 = [base.best[i] in items[i].ids for i in entry_idx]
    for name, per_item in reps.items():
        out = outcome(per_item)
        top1 = [out.best[i] in items[i].ids for i in entry_idx]
        gained = sum(ok and not was for ok, was in zip(top1, base_top1, strict=True))
        lost = sum(was and not ok for ok, was in zip(top1, base_top1, strict=True))
        pos = np.array([out.score[i] for i, ok in zip(entry_idx, top1, strict=True) if ok])
        area = auc(pos, out.score[handoff_idx])
        plain = operating_point(out, items, False, False, fine)
        marg = operating_point(out, items, True, False, fine)
        unc = operating_point(out, items, True, True, fine)
        routed = sum(out.oos_first[i] for i in oos_idx) / max(1, len(oos_idx))
        p50, p95 = lat[name.split()[0]]
        print(f"{name:<18} {sum(top1) / max(1, len(top1)):>6.1%} {f'+{gained}/-{lost}':>6} {area:>5.3f} | "
              f"{plain['threshold']:>6.3f} {plain['right']:>6.1%} {plain['wrong']:>5.1%} | "
              f"{marg['threshold']:>6.3f} {marg['margin']:>5.3f} "
              f"{marg['right']:>6.1%} {marg['wrong']:>5.1%} | {unc['right']:>6.1%} | {routed:>7.1%} | "
              f"{p50:>6.2f} {p95:>6.2f}")
    n_in = operating_point(outcome(tfidf), items, False, False, fine)["n"]
    print(f"\nin-domain items: {n_in} (covered + handoff); R+unc also counts the {kinds['uncovered']} uncovered items, "
          f"whose right outcome with this pack is a hand-off (threshold and margin re-chosen).")
    oos_labels = sorted({items[i].label for i in oos_idx})
    for name in ("tfidf", "embed max", "blend max a=0.5"):
        first = outcome(reps[name]).oos_first
        by_label = ", ".join(
            f"{lab} {sum(first[i] for i in oos_idx if items[i].label == lab)}/"
            f"{sum(items[i].label == lab for i in oos_idx)}"
            for lab in oos_labels
        )
        print(f"out-of-scope topic ranked first, {name}: {by_label}")
    print(f"injection guard (Retriever.match regex, before any ranking) catches {sum(guard)}/{len(guard)} "
          f"of the out-of-scope items")

    print(f"\nin process: Retriever build {tfidf_build:.3f} s; wordllama load {load_s:.3f} s; embedding the pack "
          f"({len(scorer._vectors)} examples) {embed_build:.3f} s")
    fp = footprint(1 if args.quick else 3)
    runs = 1 if args.quick else 3
    print(f"fresh interpreter (median of {runs}): bot pack + Retriever {fp['bot_start_s']:.2f} s; then "
          f"import bot.embeddings {fp['import_s']:.2f} s (numpy alone {fp['numpy_import_s']:.2f} s), load model "
          f"{fp['load_s']:.2f} s, embed pack {fp['embed_pack_s']:.2f} s: start-up +{fp['startup_s']:.2f} s; RSS "
          f"{fp['rss_before_mb']:.0f} MB, +{fp['rss_extra_mb']:.0f} MB in all: imports +{fp['rss_import_mb']:.0f} "
          f"(numpy alone +{fp['rss_numpy_mb']:.0f}), model +{fp['rss_model_mb']:.0f}, pack vectors "
          f"+{fp['rss_extra_mb'] - fp['rss_import_mb'] - fp['rss_model_mb']:.0f} MB")
    rows = disk_footprint()
    print(f"new distributions ({len(rows)}, {sum(r[2] for r in rows):.0f} MB installed): "
          + ", ".join(f"{n} {v} {mb:.1f}" for n, v, mb in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
