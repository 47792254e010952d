"""CPU time and peak memory of a process: psutil when it is installed, else Linux's /proc."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # not a dependency of the project; /proc is enough on Linux
    psutil = None

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    """A snapshot of one process: CPU seconds so far (user + system) and peak resident memory."""

    cpu_seconds: float
    peak_rss_bytes: int | None  # the largest process's, when several are summed
    total_peak_rss_bytes: int | None = None  # several processes: the sum of their peaks (an upper bound)


def read_usage(pid: int) -> Usage:
    """CPU seconds and peak RSS of a live process (peak is None where the platform does not keep it)."""
    if psutil is not None:
        process = psutil.Process(pid)
        times = process.cpu_times()
        peak = getattr(process.memory_info(), "peak_wset", None) or _vm_hwm(pid)
        return Usage(times.user + times.system, peak)
    return Usage(_proc_cpu_seconds(pid), _vm_hwm(pid))


def read_tree_usage(pid: int) -> Usage:
    """Usage of a process and its live descendants (uvicorn's workers): CPU summed, the largest peak RSS and the sum."""
    usages = [read_usage(pid)]
    for child in _descendants(pid):
        try:
            usages.append(read_usage(child))
        except (OSError, ValueError, IndexError):  # it exited between being listed and being read
            continue
    peaks = [u.peak_rss_bytes for u in usages if u.peak_rss_bytes is not None]
    return Usage(sum(u.cpu_seconds for u in usages), max(peaks) if peaks else None, sum(peaks) if len(peaks) > 1 else None)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _proc_cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # the command name may contain spaces and parentheses
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS


def _vm_hwm(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def processes_named(name: str) -> list[int]:
    """Pids of the processes whose command is `name` (e.g. the PostgreSQL server's backends); Linux only."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue  # the process ended while we looked
    return pids


def total_cpu_seconds(pids: list[int]) -> float:
    """Summed CPU seconds of processes that are still alive (ended ones count as zero)."""
    total = 0.0
    for pid in pids:
        try:
            total += _proc_cpu_seconds(pid)
        except OSError:
            continue
    return total


def machine_cpu_seconds() -> float:
    """CPU seconds the whole machine spent busy since boot (all cores; Linux only, 0.0 elsewhere)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS
