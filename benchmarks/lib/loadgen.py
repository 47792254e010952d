"""Load shapes: closed loop (N prospects, each waits for its reply) and open loop (updates at a fixed rate)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from dataclasses import dataclass, field

from benchmarks.lib.fake import TimedFakeTelegram
from benchmarks.lib.prospects import SCRIPT, Prospect, ScriptError, Step, StepResult


@dataclass
class PhaseResult:
    """What one load phase measured, before any statistics."""

    name: str
    updates: int = 0
    elapsed: float = 0.0  # first push -> last awaited reply (seconds)
    steps: list[StepResult] = field(default_factory=list)
    leads_expected: int = 0
    script_errors: int = 0
    push_lag: list[float] = field(default_factory=list)  # open loop: actual push time - scheduled time

    @property
    def latencies(self) -> list[float]:
        """Reply latencies of the answered updates, in seconds."""
        return [s.latency for s in self.steps if s.latency is not None]

    @property
    def unanswered(self) -> int:
        """Updates the bot did not answer within the timeout."""
        return sum(s.latency is None for s in self.steps)

    def record(self, result: StepResult) -> None:
        """Add one step's measurement."""
        self.updates += 1
        self.steps.append(result)


async def _follow_script(prospect: Prospect, phase: PhaseResult) -> None:
    while not prospect.done:
        try:
            result = await prospect.act()
        except ScriptError:
            phase.script_errors += 1
            return
        phase.record(result)
        if result.latency is None:
            return


async def run_closed_loop(
    fake: TimedFakeTelegram, prospects: int, first_chat_id: int, timeout: float, name: str = "closed", script: tuple[Step, ...] = SCRIPT
) -> PhaseResult:
    """All prospects start at once; each sends its next message only after the reply to the previous one."""
    phase = PhaseResult(name)
    crowd = [Prospect(fake, first_chat_id + i, timeout, script) for i in range(prospects)]
    start = time.monotonic()
    await asyncio.gather(*(_follow_script(p, phase) for p in crowd))
    phase.elapsed = time.monotonic() - start
    phase.leads_expected = sum(p.confirmed for p in crowd)
    return phase


@dataclass
class _OpenLoop:
    """State of an open-loop run: prospects waiting for their think time to pass, and replies in flight."""

    fake: TimedFakeTelegram
    phase: PhaseResult
    timeout: float
    think: float
    chat_ids: itertools.count[int]
    script: tuple[Step, ...] = SCRIPT
    ready: list[tuple[float, int, Prospect]] = field(default_factory=list)  # heap of (ready_at, tie, prospect)
    in_flight: set[asyncio.Task[None]] = field(default_factory=set)
    crowd: list[Prospect] = field(default_factory=list)
    tie: itertools.count[int] = field(default_factory=itertools.count)

    def next_prospect(self, now: float) -> Prospect:
        """The prospect whose think time ended longest ago, or a newcomer when nobody is ready."""
        if self.ready and self.ready[0][0] <= now:
            return heapq.heappop(self.ready)[2]
        prospect = Prospect(self.fake, next(self.chat_ids), self.timeout, self.script)
        self.crowd.append(prospect)
        return prospect

    async def step(self, prospect: Prospect) -> None:
        """Push the prospect's next update now; when answered, it is ready again after its think time."""
        try:
            result = await prospect.act()
        except ScriptError:
            self.phase.script_errors += 1
            return
        self.phase.record(result)
        if result.latency is not None and not prospect.done:
            heapq.heappush(self.ready, (time.monotonic() + self.think, next(self.tie), prospect))


async def run_open_loop(
    fake: TimedFakeTelegram, rate: float, duration: float, first_chat_id: int, timeout: float, think: float = 1.0,
    script: tuple[Step, ...] = SCRIPT,
) -> PhaseResult:
    """Push one update every 1/rate seconds for `duration`, whatever the bot's speed, then wait for the replies.

    Each tick goes to the prospect whose think time ended longest ago, or to a new prospect, so the
    update mix is the same as in the closed loop and every chat still waits for its reply.
    """
    state = _OpenLoop(fake, PhaseResult("open"), timeout, think, itertools.count(first_chat_id), script)
    start = time.monotonic()
    for tick in range(int(rate * duration)):
        scheduled = start + tick / rate
        await asyncio.sleep(max(0.0, scheduled - time.monotonic()))  # yields even when behind schedule
        now = time.monotonic()
        state.phase.push_lag.append(now - scheduled)
        task = asyncio.create_task(state.step(state.next_prospect(now)))
        state.in_flight.add(task)
        task.add_done_callback(state.in_flight.discard)
    if state.in_flight:
        _, late = await asyncio.wait(set(state.in_flight), timeout=timeout + 1)
        for task in late:  # cannot happen while every wait is bounded by `timeout`; never leave tasks behind
            task.cancel()
    state.phase.elapsed = time.monotonic() - start
    state.phase.leads_expected = sum(p.confirmed for p in state.crowd)
    return state.phase
