"""Load benchmark: the real bot, polling a fake Bot API server or behind its webhook, against N simulated prospects,
and the baseline.

Run from the repo root: `python benchmarks/load.py [--quick] [--prospects N] [--rate R] [--duration S] [--json FILE]`.
Every bot runs in its own subprocess (its CPU and peak RSS are its own, with its workers') against its own fake
server on 127.0.0.1; in webhook mode the driver POSTs each update to the bot as Telegram would. Our bot runs on SQLite, and on a fresh PostgreSQL database when TEST_POSTGRES_URL is set. Exits 1 when a run is
invalid (leads saved != expected, an update left unanswered, a bot that does not start); timings never fail it.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.lib.databases import POSTGRESQL, SQLITE, fresh_database
from benchmarks.lib.figures import RunFigures, median_run
from benchmarks.lib.measure import KINDS, WITH_DATABASE, LoadConfig, measure
from benchmarks.lib.prospects import MIXES
from benchmarks.lib.report import document, render

RESULTS = ROOT / "benchmarks" / "results"
WEBHOOK_WORKERS_POSTGRESQL = 2  # one per core here; several workers need PostgreSQL (SQLite has one writer at a time)
QUICK = {"prospects": 10, "rate": 20.0, "duration": 1.0, "timeout": 10.0, "bots": "ours,webhook,baseline"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small smoke run for CI: 10 prospects, 1 s open loop, no echo")
    parser.add_argument("--prospects", type=int, default=200, help="concurrent prospects in the closed loop (default 200)")
    parser.add_argument("--rate", type=float, default=100.0, help="open loop: updates pushed per second (0 skips it; default 100)")
    parser.add_argument("--duration", type=float, default=10.0, help="open loop: seconds of pushing (default 10)")
    parser.add_argument("--think", type=float, default=1.0, help="open loop: a prospect's pause before its next message (default 1 s)")
    parser.add_argument("--timeout", type=float, default=30.0, help="longest wait for one reply, seconds (default 30)")
    parser.add_argument("--api-delay", type=float, default=0.0, help="milliseconds every Bot API call but getUpdates takes, like a real network (default 0)")
    parser.add_argument("--mix", choices=sorted(MIXES), default="intake",
                        help="what prospects do: intake (/start, two questions, a booking) or questions (/start, five questions; no booking)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per bot and database; the median run (by closed-loop updates/s) is reported")
    parser.add_argument("--bots", default="ours,webhook,baseline,echo",
                        help="comma-separated: ours (polling), webhook (ours behind `run --webhook`), baseline, echo (default all)")
    parser.add_argument("--webhook-workers", type=int, default=None,
                        help=f"uvicorn workers of the webhook bot (default 1 on SQLite, {WEBHOOK_WORKERS_POSTGRESQL} on PostgreSQL)")
    parser.add_argument("--db", default=None, help="comma-separated: sqlite, postgresql (default sqlite, plus postgresql if TEST_POSTGRES_URL is set)")
    parser.add_argument("--json", type=Path, default=None,
                        help="write all figures to this file (default benchmarks/results/load-<db>[-questions][-quick].json per database)")
    return parser


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in QUICK.items():
            if getattr(args, name) == parser.get_default(name):  # an explicit option still wins
                setattr(args, name, value)
    args.bots = [b for b in args.bots.split(",") if b]
    if unknown := set(args.bots) - set(KINDS):
        parser.error(f"unknown bot(s): {', '.join(sorted(unknown))}")
    postgres = os.environ.get("TEST_POSTGRES_URL") or None
    args.db = [d for d in (args.db or (f"{SQLITE},{POSTGRESQL}" if postgres else SQLITE)).split(",") if d]
    if unknown := set(args.db) - {SQLITE, POSTGRESQL}:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    if POSTGRESQL in args.db and postgres is None:
        parser.error("postgresql needs TEST_POSTGRES_URL")
    args.postgres_url = postgres
    return args


def run_bot(bot: str, database: str, config: LoadConfig, postgres_url: str | None, repeat: int = 1) -> RunFigures:
    """The median of `repeat` runs of one bot on one database."""
    return median_run([_run_once(bot, database, config, postgres_url) for _ in range(max(1, repeat))])


def _run_once(bot: str, database: str, config: LoadConfig, postgres_url: str | None) -> RunFigures:
    """One bot on one database, in a scratch directory removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"load-{bot}-") as scratch:
        run_dir = Path(scratch)
        if KINDS[bot] not in WITH_DATABASE:  # the baseline and the echo keep no database
            return asyncio.run(measure(KINDS[bot], database, None, run_dir, config))
        with fresh_database(database, run_dir, postgres_url) as url:
            return asyncio.run(measure(KINDS[bot], database, url, run_dir, config))


def main(argv: list[str] | None = None) -> int:
    """Measure every requested bot, print the comparison per database, write the JSON; 1 if any run is invalid."""
    args = _arguments(argv)
    started = time.monotonic()
    config = LoadConfig(args.prospects, args.rate, args.duration, args.think, args.timeout, 60.0, args.api_delay / 1000, mix=args.mix)
    open_loop = f"then {args.rate:g} updates/s for {args.duration:g} s (open loop)" if args.rate > 0 and args.duration > 0 else "no open loop"
    print(f"load: {args.prospects} prospects x {len(MIXES[args.mix])} updates ({args.mix} mix, closed loop), {open_loop}; Bot API delay {args.api_delay:g} ms; "
          f"bots: {', '.join(args.bots)}; databases: {', '.join(args.db)}", flush=True)
    shared = {bot: run_bot(bot, "none", config, None, args.repeat) for bot in args.bots if KINDS[bot] not in WITH_DATABASE}
    documents, valid = {}, all(run.ok for run in shared.values())
    for database in args.db:
        workers = args.webhook_workers or (WEBHOOK_WORKERS_POSTGRESQL if database == POSTGRESQL else 1)
        db_config = replace(config, webhook_workers=workers)
        ours = {bot: run_bot(bot, database, db_config, args.postgres_url, args.repeat) for bot in args.bots if KINDS[bot] in WITH_DATABASE}
        runs = ours | shared
        valid = valid and all(run.ok for run in runs.values())
        print(render(database, runs, args.rate, args.quick), flush=True)
        documents[database] = document(database, runs, args.rate, asdict(db_config) | {"quick": args.quick, "repeat": args.repeat})
    _write(documents, args.json, args.quick, args.mix)
    print(f"load: {'ok' if valid else 'INVALID RUN'} in {time.monotonic() - started:.1f} s")
    return 0 if valid else 1


def _write(documents: dict[str, dict[str, object]], path: Path | None, quick: bool, mix: str) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(documents, indent=2), encoding="utf-8")
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    for database, doc in documents.items():
        suffix = ("" if mix == "intake" else f"-{mix}") + ("-quick" if quick else "")
        (RESULTS / f"load-{database}{suffix}.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
