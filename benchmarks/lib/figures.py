"""From raw measurements to the figures the report prints: percentiles, rates, shares and per-lead counts."""

from __future__ import annotations

import math
import resource
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.lib.fake import DESK_SUFFIX
from benchmarks.lib.loadgen import PhaseResult
from benchmarks.lib.procstat import machine_cpu_seconds, processes_named, total_cpu_seconds

POLL_METHOD = "getUpdates"


def percentile(values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def _driver_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Snapshot:
    """Counters read at a phase boundary."""

    bot_cpu: float
    driver_cpu: float  # this process: the fake server's threads and the prospects
    db_server_cpu: float  # every process of the database server (0 for SQLite, which runs inside the bot)
    machine_cpu: float
    calls: Counter[str]

    @classmethod
    def take(cls, bot_cpu: float, calls: Counter[str], database_server: str | None) -> Snapshot:
        """Read the counters now; `bot_cpu` and `calls` come from the bot process and the fake."""
        db_cpu = total_cpu_seconds(processes_named(database_server)) if database_server else 0.0
        return cls(bot_cpu, _driver_cpu_seconds(), db_cpu, machine_cpu_seconds(), calls)


@dataclass
class PhaseFigures:
    """One load phase of one bot, ready to print or dump as JSON (times in ms, CPU in seconds)."""

    name: str
    updates: int
    elapsed_s: float
    updates_per_s: float
    latency_ms: dict[str, float | None]
    unanswered: int
    script_errors: int
    leads_expected: int
    api_calls: dict[str, int]  # per method, getUpdates excluded
    api_calls_per_lead: float | None
    desk_calls_per_lead: float | None  # of those, the calls to the admin chat (the lead card)
    get_updates_calls: int
    bot_cpu_s: float
    cpu_s_per_1k_updates: float | None
    db_server_cpu_s_per_1k_updates: float | None
    driver_cores: float  # CPU the driver (fake server + prospects) used, in cores
    driver_cpu_ms_per_request: float | None  # the fake's cost per Bot API request (prospects' pushes included)
    machine_cores: float  # CPU the whole machine used, in cores
    other_cores: float  # machine minus bot, driver and database server: other people's work on a shared machine
    driver_reaction_ms_p50: float | None  # bot's reply -> prospect noticed it
    push_lag_ms_p99: float | None = None  # open loop: how late updates were pushed against the schedule

    @classmethod
    def build(cls, phase: PhaseResult, before: Snapshot, after: Snapshot, database_server: bool) -> PhaseFigures:
        """Combine a phase's measurements with the counters read before and after it."""
        calls = after.calls - before.calls
        api = {m: n for m, n in sorted(calls.items()) if m != POLL_METHOD}
        lat = phase.latencies
        per_1k = (lambda cpu: round(cpu / phase.updates * 1000, 3)) if phase.updates else (lambda cpu: None)
        bot_cpu = after.bot_cpu - before.bot_cpu
        driver, db_cpu = after.driver_cpu - before.driver_cpu, after.db_server_cpu - before.db_server_cpu
        machine = after.machine_cpu - before.machine_cpu
        wall = phase.elapsed or 1e-9
        return cls(
            name=phase.name,
            updates=phase.updates,
            elapsed_s=round(phase.elapsed, 3),
            updates_per_s=round(phase.updates / wall, 1),
            latency_ms={f"p{p}": _ms(percentile(lat, p)) for p in (50, 95, 99)} | {"max": _ms(max(lat, default=None))},
            unanswered=phase.unanswered,
            script_errors=phase.script_errors,
            leads_expected=phase.leads_expected,
            api_calls=api,
            api_calls_per_lead=round(sum(api.values()) / phase.leads_expected, 2) if phase.leads_expected else None,
            desk_calls_per_lead=(
                round(sum(n for m, n in api.items() if m.endswith(DESK_SUFFIX)) / phase.leads_expected, 2) if phase.leads_expected else None
            ),
            get_updates_calls=calls.get(POLL_METHOD, 0),
            bot_cpu_s=round(bot_cpu, 3),
            cpu_s_per_1k_updates=per_1k(bot_cpu),
            db_server_cpu_s_per_1k_updates=per_1k(db_cpu) if database_server else None,
            driver_cores=round(driver / wall, 2),
            driver_cpu_ms_per_request=round(driver / requests * 1000, 3) if (requests := sum(calls.values())) else None,
            machine_cores=round(machine / wall, 2),
            other_cores=round(max(0.0, machine - bot_cpu - driver - db_cpu) / wall, 2),
            driver_reaction_ms_p50=_ms(percentile([s.reaction for s in phase.steps if s.latency is not None], 50)),
            push_lag_ms_p99=_ms(percentile(phase.push_lag, 99)),
        )


@dataclass
class RunFigures:
    """Everything measured for one bot process on one database."""

    bot: str
    database: str
    keeps_leads: bool = True
    startup_s: float | None = None  # process spawned -> first getUpdates
    peak_rss_mb: float | None = None  # the largest process's
    peak_rss_total_mb: float | None = None  # several processes (webhook workers): the sum of their peaks
    leads_saved: int | None = None
    leads_expected: int = 0
    phases: dict[str, PhaseFigures] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    repeats: list[dict[str, float | None]] = field(default_factory=list)  # headline figures of every repeat

    @property
    def ok(self) -> bool:
        """Whether the run is valid: no problems recorded."""
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """A plain dict for the JSON file."""
        return asdict(self) | {"ok": self.ok}



def headline(run: RunFigures) -> dict[str, float | None]:
    """The figures that vary most from run to run on a shared machine."""
    closed, opened = run.phases.get("closed"), run.phases.get("open")
    return {
        "updates_per_s": closed.updates_per_s if closed else None,
        "p99_ms_closed": closed.latency_ms["p99"] if closed else None,
        "p99_ms_open": opened.latency_ms["p99"] if opened else None,
        "cpu_s_per_1k_updates": closed.cpu_s_per_1k_updates if closed else None,
        "other_cores": closed.other_cores if closed else None,
    }


def median_run(runs: list[RunFigures]) -> RunFigures:
    """The run with the median closed-loop throughput, carrying every repeat's headline figures.

    An invalid repeat is returned instead, so that its problems are reported.
    """
    if invalid := [run for run in runs if not run.ok]:
        chosen = invalid[0]
    else:
        ranked = sorted(runs, key=lambda run: (headline(run)["updates_per_s"] or 0.0))
        chosen = ranked[(len(ranked) - 1) // 2]
    chosen.repeats = [headline(run) for run in runs]
    return chosen
