"""Reading availability from free text: weekdays, relative days, dates and parts of the day."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from bot.content import IntakeVocab
from bot.engine.state import WEEKDAYS, PartOfDay, Window

_DAY_NAMES = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_DAY = "|".join(sorted(_DAY_NAMES, key=len, reverse=True))
_WEEKDAY_RE = re.compile(rf"\b(?:(next|this|coming|on|last)\s+)?({_DAY})(s)?\b\.?")
_MONTH = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_DATE_RES = (
    re.compile(rf"\b(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})\b\.?(?:,?\s+\d{{4}})?"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(r"(?<![\d+])\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"),
)
_YEAR_RE = re.compile(r"\b\d{4}\b|\d{1,2}/\d{1,2}/\d{2,4}")
_RECENT_PAST = timedelta(days=60)
_CLOCK_RE = re.compile(r"\b(1[0-2]|0?[1-9])(?::[0-5]\d)?\s*([ap])\.?m\b\.?")


@dataclass
class AvailabilityResult:
    """Windows found in a text, or the past date that made it unusable."""

    windows: list[Window] = field(default_factory=list)
    flexible: bool = False
    past_date: date | None = None

    @property
    def found(self) -> bool:
        """Whether the text said anything usable about availability."""
        return bool(self.windows) or self.flexible


def parse_availability(text: str, now: datetime, vocab: IntakeVocab) -> AvailabilityResult:
    """Windows in `text`, resolved against `now` (a time in the studio's zone)."""
    lowered = " " + text.lower() + " "
    today = now.date()
    parts = _parts_of_day(lowered, vocab)
    result = AvailabilityResult()
    dates: list[date] = []
    recurring: list[int] = []
    for match in _iter_dates(lowered):
        parsed = _parse_date(match, now)
        if parsed is None:
            continue
        if parsed < today:
            result.past_date = parsed
        else:
            dates.append(parsed)
    lowered = _strip_dates(lowered)
    dates += _relative_days(lowered, today, result)
    for match in _WEEKDAY_RE.finditer(lowered):
        modifier, name, plural = match.groups()
        day = _DAY_NAMES[name]
        if modifier == "last":
            result.past_date = today - timedelta(days=(today.weekday() - day) % 7 or 7)
        elif plural:
            recurring.append(day)
        else:
            dates.append(_weekday_date(today, day, next_week=modifier == "next"))
    recurring += _ranges(lowered, today, dates)
    parts_or_any: list[PartOfDay] = list(parts) or ["any"]
    for when in sorted(set(dates)):
        result.windows += [Window(date=when, weekday=WEEKDAYS[when.weekday()], part_of_day=p) for p in parts_or_any]
    for day in sorted(set(recurring)):
        result.windows += [Window(weekday=WEEKDAYS[day], part_of_day=p) for p in parts_or_any]
    if not result.windows and parts:
        result.windows = [Window(part_of_day=p) for p in parts]
    if not result.windows and any(_has_phrase(lowered, w) for w in vocab.flexible_words):
        result.flexible = True
    return result


def _parts_of_day(lowered: str, vocab: IntakeVocab) -> list[PartOfDay]:
    parts = {part for part, words in vocab.parts_of_day.items() if any(_has_phrase(lowered, w) for w in words)}
    for hour, meridiem in _CLOCK_RE.findall(lowered):
        hour_24 = int(hour) % 12 + (12 if meridiem.startswith("p") else 0)
        parts.add("morning" if hour_24 < 12 else "afternoon" if hour_24 < 17 else "evening")
    return [p for p in ("morning", "afternoon", "evening") if p in parts]  # type: ignore[misc]


@lru_cache(maxsize=512)
def _phrase_re(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@.]){re.escape(phrase)}(?![\w@])")


def _has_phrase(lowered: str, phrase: str) -> bool:
    return _phrase_re(phrase.lower()).search(lowered) is not None


def _iter_dates(lowered: str) -> list[str]:
    found: list[tuple[int, str]] = []
    taken: list[range] = []
    for pattern in _DATE_RES:
        for m in pattern.finditer(lowered):
            if any(m.start() in r for r in taken):
                continue
            taken.append(range(m.start(), m.end()))
            found.append((m.start(), m.group(0)))
    return [text for _, text in sorted(found)]


def _strip_dates(lowered: str) -> str:
    for pattern in _DATE_RES:
        lowered = pattern.sub(" ", lowered)
    return lowered


def _parse_date(fragment: str, now: datetime) -> date | None:
    import dateparser  # imported on first use: it takes a second to load and most messages have no date

    settings = {"RELATIVE_BASE": now.replace(tzinfo=None), "DATE_ORDER": "MDY", "REQUIRE_PARTS": ["day", "month"]}
    parsed = dateparser.parse(fragment.strip(" ."), languages=["en"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        return None
    when = parsed.date()
    if when < now.date() and not _YEAR_RE.search(fragment) and now.date() - when > _RECENT_PAST:
        # "Jan 5" said in November means the coming January, not one long gone.
        when = when.replace(year=when.year + 1)
    return when


def _relative_days(lowered: str, today: date, result: AvailabilityResult) -> list[date]:
    dates: list[date] = []
    if _has_phrase(lowered, "day after tomorrow"):
        dates.append(today + timedelta(days=2))
    elif _has_phrase(lowered, "tomorrow"):
        dates.append(today + timedelta(days=1))
    if _has_phrase(lowered, "today") or _has_phrase(lowered, "tonight"):
        dates.append(today)
    if _has_phrase(lowered, "yesterday"):
        result.past_date = today - timedelta(days=1)
    return dates


def _ranges(lowered: str, today: date, dates: list[date]) -> list[int]:
    """Week and weekend phrases: dated ones go into `dates`, recurring days are returned."""
    recurring: list[int] = []
    monday = today - timedelta(days=today.weekday())
    if re.search(r"\b(next|following) weekend\b", lowered):
        dates += [monday + timedelta(days=12), monday + timedelta(days=13)]
    elif re.search(r"\b(this|coming|the) weekend\b", lowered):
        dates += [d for d in (monday + timedelta(days=5), monday + timedelta(days=6)) if d >= today]
    elif re.search(r"\bweekends?\b", lowered):
        recurring += [5, 6]
    if re.search(r"\bweek ?days?\b|\bweeknights?\b|\bmon(day)?\s*(-|–|to|through|thru)\s*fri(day)?\b", lowered):
        recurring += [0, 1, 2, 3, 4]
    if re.search(r"\bnext week\b", lowered):
        dates += [monday + timedelta(days=7 + i) for i in range(5)]
    elif re.search(r"\bthis week\b", lowered):
        dates += [monday + timedelta(days=i) for i in range(5) if monday + timedelta(days=i) > today] or [
            monday + timedelta(days=7 + i) for i in range(5)
        ]
    return recurring


def _weekday_date(today: date, day: int, *, next_week: bool) -> date:
    """The coming `day` (never today); with "next", the one in next calendar week."""
    if next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=day)
    return today + timedelta(days=(day - today.weekday()) % 7 or 7)


def option_windows(option: str, today: date) -> tuple[list[Window], bool]:
    """Windows for an availability button: (windows, flexible)."""
    monday = today - timedelta(days=today.weekday())
    if option == "this_week":
        days = [monday + timedelta(days=i) for i in range(7) if monday + timedelta(days=i) > today]
        return [Window(date=d, weekday=WEEKDAYS[d.weekday()]) for d in days], False
    if option == "next_week":
        days = [monday + timedelta(days=7 + i) for i in range(7)]
        return [Window(date=d, weekday=WEEKDAYS[d.weekday()]) for d in days], False
    if option == "weekday_mornings":
        return [Window(weekday=WEEKDAYS[i], part_of_day="morning") for i in range(5)], False
    if option == "weekday_evenings":
        return [Window(weekday=WEEKDAYS[i], part_of_day="evening") for i in range(5)], False
    if option == "weekends":
        return [Window(weekday=WEEKDAYS[i]) for i in (5, 6)], False
    return [], True
