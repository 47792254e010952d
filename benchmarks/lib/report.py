"""The printed report and the JSON document: ours against the baseline, ratios pair by pair, targets PASS/MISS."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from benchmarks.lib.figures import PhaseFigures, RunFigures

Metric = Callable[[RunFigures], float | None]
ROOT = Path(__file__).resolve().parents[2]


def _phase(run: RunFigures, name: str) -> PhaseFigures | None:
    return run.phases.get(name)


def _closed(pick: Callable[[PhaseFigures], float | None]) -> Metric:
    return lambda run: pick(p) if (p := _phase(run, "closed")) else None


def _open(pick: Callable[[PhaseFigures], float | None]) -> Metric:
    return lambda run: pick(p) if (p := _phase(run, "open")) else None


def rows(rate: float) -> list[tuple[str, Metric]]:
    """The compared figures, in print order."""
    return [
        ("updates/s (closed loop)", _closed(lambda p: p.updates_per_s)),
        ("reply latency p50 ms (closed loop)", _closed(lambda p: p.latency_ms["p50"])),
        ("reply latency p95 ms (closed loop)", _closed(lambda p: p.latency_ms["p95"])),
        ("reply latency p99 ms (closed loop)", _closed(lambda p: p.latency_ms["p99"])),
        (f"reply latency p50 ms at {rate:g}/s", _open(lambda p: p.latency_ms["p50"])),
        (f"reply latency p99 ms at {rate:g}/s", _open(lambda p: p.latency_ms["p99"])),
        ("Bot API calls per lead", _closed(lambda p: p.api_calls_per_lead)),
        ("  of which to the admin chat", _closed(lambda p: p.desk_calls_per_lead)),
        ("getUpdates calls per update (closed loop)", _closed(lambda p: round(p.get_updates_calls / p.updates, 3) if p.updates else None)),
        ("bot CPU s per 1,000 updates", _closed(lambda p: p.cpu_s_per_1k_updates)),
        ("PostgreSQL server CPU s per 1,000 updates", _closed(lambda p: p.db_server_cpu_s_per_1k_updates)),
        ("peak RSS MB (largest process)", lambda run: run.peak_rss_mb),
        ("peak RSS MB, all processes", lambda run: run.peak_rss_total_mb),
        ("start to first getUpdates s", lambda run: run.startup_s),
        ("driver (fake + prospects) cores, closed loop", _closed(lambda p: p.driver_cores)),
        ("driver CPU ms per Bot API request", _closed(lambda p: p.driver_cpu_ms_per_request)),
        ("other processes' cores, closed loop", _closed(lambda p: p.other_cores)),
    ]


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """ours / baseline, or None when either is missing or the baseline is zero."""
    if ours is None or baseline is None or baseline == 0:
        return None
    return round(ours / baseline, 2)


@dataclass(frozen=True)
class Target:
    """One of the issue's targets and how our bot did."""

    label: str
    measured: str
    passed: bool | None  # None: not measured in this run


def _check(label: str, value: float | None, unit: str, good: Callable[[float], bool]) -> Target:
    return Target(label, "n/a" if value is None else f"{value:g}{unit}", None if value is None else good(value))


def targets(ours: RunFigures, baseline: RunFigures | None, rate: float) -> list[Target]:
    """The issue's targets for our bot on one database (information, not assertions)."""
    throughput = _closed(lambda p: p.updates_per_s)
    calls = _closed(lambda p: p.api_calls_per_lead)
    base_throughput = throughput(baseline) if baseline else None
    base_calls = calls(baseline) if baseline else None
    found = [
        _check(f"p99 reply latency < 50 ms at {rate:g} updates/s", _open(lambda p: p.latency_ms["p99"])(ours), " ms", lambda v: v < 50),
        _check(f"throughput >= baseline ({base_throughput if base_throughput is not None else 'n/a'}/s)", throughput(ours), "/s",
               lambda v: base_throughput is not None and v >= base_throughput),
        _check(f"Bot API calls per lead <= baseline ({base_calls if base_calls is not None else 'n/a'})", calls(ours), "",
               lambda v: base_calls is not None and v <= base_calls),
        _check("peak RSS < 150 MB (per process)", ours.peak_rss_mb, " MB", lambda v: v < 150),
        _check("first getUpdates (webhook: answering) within 2 s of start", ours.startup_s, " s", lambda v: v < 2),
    ]
    if ours.database == "sqlite":
        found.insert(0, _check(">= 300 updates/s with SQLite", throughput(ours), "/s", lambda v: v >= 300))
    return found


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


OURS_BOTS = ("ours", "webhook")  # ours polling, and ours behind its webhook (several workers on PostgreSQL)


def render(database: str, runs: dict[str, RunFigures], rate: float, quick: bool) -> str:
    """The text report for one database: comparison table, targets, problems."""
    baseline, echo = runs.get("baseline"), runs.get("echo")
    mine = {name: runs[name] for name in OURS_BOTS if name in runs}
    lines = [f"== {database}: ours vs baseline{' (quick run: timings are not meaningful)' if quick else ''} =="]
    header = "".join(f"{name:>10}" for name in mine) + f"{'baseline':>10}" + "".join(f"{name[:4] + '/base':>11}" for name in mine)
    lines.append(f"{'figure':<46}{header}{'echo':>10}")
    for label, metric in rows(rate):
        values = {name: metric(run) for name, run in mine.items()}
        base, other = (metric(baseline) if baseline else None), (metric(echo) if echo else None)
        if all(v is None for v in (*values.values(), base, other)):
            continue  # e.g. no open loop, or no PostgreSQL in this table
        cells = "".join(f"{_cell(v):>10}" for v in values.values()) + f"{_cell(base):>10}"
        cells += "".join(f"{_cell(ratio(v, base)):>11}" for v in values.values())
        lines.append(f"{label:<46}{cells}{_cell(other):>10}")
    for name, run in mine.items():
        lines.append(f"targets ({name}, {database}):")
        for target in targets(run, baseline, rate):
            mark = {True: "PASS", False: "MISS", None: "n/a "}[target.passed]
            lines.append(f"  {mark}  {target.label:<52} {target.measured}")
    for run in (r for r in (*mine.values(), baseline, echo) if r is not None):
        leads = f"leads saved {run.leads_saved} / expected {run.leads_expected}" if run.keeps_leads else "keeps no leads"
        spread = ", ".join(f"{r['updates_per_s']:g}" for r in run.repeats if r["updates_per_s"] is not None)
        lines.append(f"{run.bot}: {leads}, run took {run.wall_s:g} s" + (f"; updates/s of the repeats: {spread}" if len(run.repeats) > 1 else ""))
        lines.extend(f"  PROBLEM: {problem}" for problem in run.problems)
    return "\n".join(lines)


def document(database: str, runs: dict[str, RunFigures], rate: float, config: dict[str, Any]) -> dict[str, Any]:
    """The JSON document for one database."""
    baseline = runs.get("baseline")
    mine = {name: runs[name] for name in OURS_BOTS if name in runs}
    ratios = {
        name: {label: ratio(metric(run), metric(baseline)) for label, metric in rows(rate)} for name, run in mine.items()
    } if baseline else {}  # fmt: skip
    return {
        "database": database,
        "machine": machine(),
        "config": config,
        "runs": {name: run.as_json() for name, run in runs.items()},
        "ratios_over_baseline": ratios,
        "targets": {
            name: [{"target": t.label, "measured": t.measured, "pass": t.passed} for t in targets(run, baseline, rate)]
            for name, run in mine.items()
        },
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass  # not Linux: platform.processor() below
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _commit() -> str:
    """The checked-out commit (read-only `git rev-parse`); uncommitted changes are not described."""
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "commit": _commit(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "os": f"{platform.system()} {platform.release()}",
        "python-telegram-bot": _version("python-telegram-bot"),
        "sqlalchemy": _version("sqlalchemy"),
    }
