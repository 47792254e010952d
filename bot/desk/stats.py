"""/stats: the booking funnel over the last 7 and 30 days, per intended use and per deep-link source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.cards import Desk, fit
from db.funnel import LeadOutcome, count_conversations_since, count_open_questions, intakes_by_source_since, lead_outcomes_since

PERIODS = (7, 30)


@dataclass(frozen=True)
class Period:
    """The funnel's counts over one period."""

    conversations: int
    intakes: dict[str | None, int]
    leads: list[LeadOutcome]

    @property
    def steps(self) -> dict[str, int]:
        """Each funnel step's count, in funnel order."""
        return {
            "conversations": self.conversations,
            "intakes": sum(self.intakes.values()),
            "leads": len(self.leads),
            "contacted": sum(lead.contacted for lead in self.leads),
            "booked": sum(lead.booked for lead in self.leads),
        }


async def read_period(session: AsyncSession, since: datetime) -> Period:
    """The funnel's counts since a moment."""
    return Period(
        await count_conversations_since(session, since),
        await intakes_by_source_since(session, since),
        await lead_outcomes_since(session, since),
    )


async def funnel_report(session: AsyncSession, desk: Desk, now: datetime) -> str:
    """The /stats message."""
    week, month = [await read_period(session, now - timedelta(days=days)) for days in PERIODS]
    text = desk.text.stats
    lines = [desk.line(text.header)]
    for key, count in week.steps.items():
        lines.append(desk.line(text.row, label=getattr(text, key), week=count, month=month.steps[key]))
    lines += ["", desk.line(text.by_use)]
    lines += _groups(desk, month.leads, lambda lead: lead.intended_use, desk.use_label)
    lines += ["", desk.line(text.by_source)]
    lines += _groups(desk, month.leads, lambda lead: lead.source, lambda source: source or text.no_source, month.intakes)
    lines += ["", desk.line(text.open_questions, count=await count_open_questions(session))]
    return fit(lines)


def _groups(
    desk: Desk,
    leads: Sequence[LeadOutcome],
    key: Callable[[LeadOutcome], str | None],
    label: Callable[[str | None], str],
    started: dict[str | None, int] | None = None,
) -> list[str]:
    """One line per group, busiest first: [requests started /] leads / booked."""
    confirmed = Counter(key(lead) for lead in leads)
    booked = Counter(key(lead) for lead in leads if lead.booked)
    names = sorted(set(confirmed) | set(started or {}), key=lambda k: (-((started or {}).get(k, 0) + confirmed[k]), str(k)))
    lines = []
    for name in names:
        counts = [confirmed[name], booked[name]] if started is None else [started.get(name, 0), confirmed[name], booked[name]]
        lines.append(desk.line(desk.text.stats.group_row, label=label(name), counts=" / ".join(map(str, counts))))
    return lines
