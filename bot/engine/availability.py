"""Reading availability from free text: a small grammar over the tokens of bot.engine.timewords.

A clause (up to a sentence end) holds day items (a weekday, a date, a list or range of them, a week, a weekend,
weekdays, a holiday) and slots (a part of day, a clock time, an open or closed range). A slot belongs to the item
before it; slots that open a clause, and the last item's slots, apply to every item of the clause that has none.
A week phrase in the same clause as weekdays anchors them ("Thursday next week"); "except"/"but" after a range, or
"X is out" after a day, removes days. Everything resolves against `now` in the studio's zone and never in the past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from bot.content import IntakeVocab
from bot.engine.state import WEEKDAYS, PartOfDay, Weekday, Window
from bot.engine.timewords import Tok, tokenize

MAX_WINDOWS = 14  # more than two weeks of days is a schedule, not availability; it also keeps summaries short
_RECENT_PAST = timedelta(days=60)
_FIXED_DAYS = {"christmas_eve": (12, 24), "new_years_eve": (12, 31), "halloween": (10, 31), "valentines_day": (2, 14)}
_LIBRARY_NAMES = {
    "christmas": "Christmas Day", "boxing_day": "Boxing Day", "new_years_day": "New Year's Day", "family_day": "Family Day",
    "good_friday": "Good Friday", "easter_monday": "Easter Monday", "victoria_day": "Victoria Day",
    "canada_day": "Canada Day", "bc_day": "British Columbia Day", "labour_day": "Labour Day",
    "truth_day": "National Day for Truth and Reconciliation", "thanksgiving": "Thanksgiving Day",
    "remembrance_day": "Remembrance Day",
}  # fmt: skip
_VAGUE_WORDS = frozenset({"sometime", "soon", "later", "month", "months", "weeks", "year", "asap", "eventually"})


@dataclass(frozen=True)
class Slot:
    """A part of the day, optionally bounded by clock times."""

    part: PartOfDay
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class DateConflict:
    """A weekday that contradicts its date ("Friday Dec 10" when Dec 10 is a Thursday): the two readings."""

    given: int
    when: date
    choices: tuple[Window, ...]


@dataclass
class AvailabilityResult:
    """Windows found in a text, or why there are none: a past date, a weekday-date conflict, a vague period."""

    windows: list[Window] = field(default_factory=list)
    flexible: bool = False
    past_date: date | None = None
    conflict: DateConflict | None = None
    vague: bool = False

    @property
    def found(self) -> bool:
        """Whether the text said anything usable about availability."""
        return bool(self.windows) or self.flexible


@dataclass
class _Item:
    dates: list[date] = field(default_factory=list)
    weekdays: list[int] = field(default_factory=list)
    day: int | None = None  # a bare weekday, resolved once the clause is read
    next_week: bool = False
    week: int | None = None
    anyday: bool = False
    excluded: bool = False
    conflict: DateConflict | None = None  # a weekday-date pair that disagrees; its slots go into the choices
    slots: list[Slot] = field(default_factory=list)
    later: int = 0  # weeks after the day as read ("the Monday after next", "a week from Friday")
    base: _Item | None = None  # "the Monday after": the item whose day this one follows


def parse_availability(text: str, now: datetime, vocab: IntakeVocab) -> AvailabilityResult:
    """Windows in `text`, resolved against `now` (a time in the studio's zone)."""
    reader = _Reader(now.date())
    parts = _vocab_parts(vocab)
    for chunk in _chunks(text):
        clause: list[Tok] = []
        for tok in [*tokenize(chunk, parts), Tok("break", "", len(chunk))]:
            if tok.kind == "break":
                reader.read_clause(clause)
                clause = []
            else:
                clause.append(tok)
        if len(reader.items) >= 2 * MAX_WINDOWS:
            break  # enough to fill the windows a message may hold: the rest of a long list is not read
    result = reader.finish()
    if not result.windows and result.conflict is None and _has_flexible(text, vocab):
        result.flexible = True
    return result


_CHUNK = 400
_CHUNK_END_RE = re.compile(r"[!?;\n]|\.\s+(?=[A-Z])")


def _chunks(text: str) -> list[str]:
    """The text in pieces of about _CHUNK characters cut at sentence ends, so a long one is read only as far as
    needed (a sentence longer than that is cut at a space, which may split one phrase)."""
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = start + _CHUNK
        if end >= len(text):
            pieces.append(text[start:])
            break
        cut = None
        for match in _CHUNK_END_RE.finditer(text, end, min(len(text), end + _CHUNK)):
            cut = match.end()
            break
        if cut is None:
            space = text.find(" ", end, end + _CHUNK)
            cut = space + 1 if space != -1 else end + _CHUNK
        pieces.append(text[start:cut])
        start = cut
    return pieces


def _vocab_parts(vocab: IntakeVocab) -> tuple[tuple[str, str], ...]:
    return tuple((word.lower(), part) for part, words in vocab.parts_of_day.items() for word in words)


def _has_flexible(text: str, vocab: IntakeVocab) -> bool:
    lowered = " " + text.lower().replace("’", "'") + " "
    return any(_has_phrase(lowered, w) for w in vocab.flexible_words)


class _Reader:
    """Reads clause after clause, then resolves and bounds the windows of the whole message."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.monday = today - timedelta(days=today.weekday())
        self.items: list[_Item] = []
        self.loose_slots: list[Slot] = []  # slots of clauses without any day
        self.loose_not_parts: list[str] = []  # parts of day refused in clauses without any day ("not mornings")
        self.excluded: list[_Item] = []
        self.last_date: date | None = None  # for "Boxing Day or the day after"
        self.result = AvailabilityResult()
        self._clause_items: list[_Item] = []

    # -- one clause ------------------------------------------------------------------------------
    def read_clause(self, toks: list[Tok]) -> None:
        items: list[_Item] = []
        leading: list[Slot] = []
        not_parts: list[str] = []
        self._clause_items = items
        past_before = self.result.past_date
        negating = next_mod = negating_parts = for_all = False
        last_slot: tuple[list[Slot], Slot] | None = None
        slot_end = -2  # index of the token that ended the last slot, to merge "afternoon after 3"
        i = 0
        while i < len(toks):
            tok = toks[i]
            kind = tok.kind
            if kind == "not":
                negating = True
            elif kind == "yes":  # "not mornings tho, im free friday": what follows is offered again
                negating = negating and i > 0 and toks[i - 1].kind == "not"
            elif kind == "but":
                negating = not negating and any(it.week is not None or it.anyday or it.weekdays for it in items)
            elif kind == "negafter" and slot_end == i - 1 and last_slot is not None and last_slot[1].start is None:
                target, slot = last_slot  # "Friday, evenings don't work": the part is refused, not the day
                if slot in target:
                    target.remove(slot)
                if slot.part != "any":
                    not_parts.append(slot.part)
            elif kind == "negafter" and items:
                items[-1].excluded = True
            elif items and i > 0 and toks[i - 1].kind == "holiday" and (kind == "gone" or (kind == "rel" and tok.value[0] < 0)):
                items[-1].excluded = True  # "Boxing Day came and went", "Family Day yesterday": said of a day gone by
            elif kind == "mod" and tok.value == "last" and _next_is(toks, i, "day"):
                day = toks[i + 1].value[0]  # "last Monday": a day gone by, said about the past
                self.result.past_date = self.today - timedelta(days=(self.today.weekday() - day) % 7 or 7)
                i += 2
                continue
            elif kind == "mod":
                next_mod = tok.value == "next" or (next_mod and tok.value == "on")
            elif kind == "conj" and tok.value == "," and negating and items and items[-1].excluded and i + 1 < len(toks) and (
                    toks[i + 1].kind in ("part", "slot", "time") or self._starts_time(toks, i + 1)):
                # "any weekday except Friday, mornings": the exclusion ends at the comma; the slot is for every day
                negating = False
                for_all = True
            elif kind in ("part", "slot", "time") or self._starts_time(toks, i):
                read, j = self._read_slot(toks, i)
                if read is not None and negating and read.start is None and read.end is None and read.part != "any":
                    not_parts.append(read.part)  # "not mornings": the other parts of the day
                    negating_parts = True  # "no mornings please, Thursday or Friday": the days are offered
                    i = j
                    continue
                if read is not None:
                    target = items[-1].slots if items and not for_all else leading
                    if slot_end == i - 1 and target and _mergeable(target[-1], read):
                        target[-1] = _merge(target[-1], read)
                    else:
                        target.append(read)
                    last_slot = (target, target[-1])
                    slot_end = j - 1
                    i = j
                    continue
            elif kind in ("conj", "the", "filler", "prep", "range"):
                pass
            elif (weeks := _weeks_from(toks, i)) is not None:  # "a week from Friday", "two weeks from today"
                found, j = self._read_days(toks, i + 3, next_mod)
                for item in found:
                    item.later += weeks
                    item.excluded = item.excluded or negating
                items += found
                i = max(j, i + 3)
                continue
            elif kind == "word" and tok.value == "week" and i + 2 < len(toks) and toks[i + 1].value == "of":
                dates, j = self._read_dates(toks, i + 2)  # "the week of December 14th": that week's Mon-Fri
                if dates:
                    monday = dates[0] - timedelta(days=dates[0].weekday())
                    items.append(_Item(dates=[d for d in (monday + timedelta(days=n) for n in range(5)) if d >= self.today]))
                    i = j
                    continue
            elif (kind == "word" and tok.value in _VAGUE_WORDS) or (kind == "month" and not _next_is(toks, i, "num")):
                self.result.vague = True
            else:
                if negating_parts and kind not in ("conj", "the", "filler"):
                    negating = negating_parts = False
                found, j = self._read_days(toks, i, next_mod)
                if found or j > i + 1:
                    for item in found:
                        item.excluded = item.excluded or negating
                    items += found
                    self.last_date = next((it.dates[-1] for it in reversed(found) if it.dates), self.last_date)
                    i = j
                    continue
                if kind == "word":
                    next_mod = False
            i += 1
        self._close_clause(items, leading, passed=self.result.past_date != past_before, not_parts=not_parts)

    def _close_clause(self, items: list[_Item], leading: list[Slot], passed: bool = False, not_parts: list[str] | None = None) -> None:
        if not items:
            if not passed:  # "Thursday Dec 3 at 10" on Dec 7: the time belongs to a day that has gone
                self.loose_slots += leading
                self.loose_not_parts += not_parts or []
            return
        if not_parts and not leading:
            leading = _other_parts(not_parts)
        positive = [it for it in items if not it.excluded]
        ranges = [it for it in positive if not it.anyday]
        if ranges:
            for it in positive:
                if it.anyday:  # "any morning next week": the week carries the morning
                    leading = leading or it.slots
            positive = ranges
        elif positive and any(it.excluded for it in items):  # "any day but Monday": every day, then exclusions
            for it in positive:
                it.weekdays, it.anyday = list(range(7)), False
        weeks = [it for it in positive if it.week is not None]
        bare = [it for it in positive if it.day is not None and not it.next_week]
        if weeks and bare:
            anchor = self._week_monday(weeks[0].week or 0)
            for it in bare:
                it.dates, it.day = [anchor + timedelta(days=it.day or 0)], None
            positive = [it for it in positive if it.week is None]
            week_slots = next((w.slots for w in reversed(weeks) if w.slots), [])
            for it in bare:  # "Monday to Wednesday next week, afternoons"; "Monday next week or Friday next week, after 1"
                if not it.slots and week_slots:
                    it.slots = week_slots
        trailing = positive[-1].slots if positive else []
        for it in positive:
            if not it.slots:
                it.slots = list(leading or trailing)
        self.items += positive
        self.excluded += [it for it in items if it.excluded]

    # -- the whole message ----------------------------------------------------------------------
    def finish(self) -> AvailabilityResult:
        """Resolve every item to windows, apply exclusions, drop duplicates and keep at most MAX_WINDOWS."""
        windows: list[Window] = []
        for item in self.items:
            slots = item.slots or self.loose_slots or _other_parts(self.loose_not_parts) or [Slot("any")]
            if item.conflict is not None:
                found = item.conflict
                choices = tuple(_window(w.date, w.weekday, slots[0]) for w in found.choices)
                self.result.conflict = DateConflict(found.given, found.when, choices)
                continue
            for when in self._dates_of(item):
                windows += [_window(when, WEEKDAYS[when.weekday()], s) for s in slots]
            for day in item.weekdays:
                windows += [_window(None, WEEKDAYS[day], s) for s in slots]
            if item.anyday and item.slots:
                windows += [_window(None, None, s) for s in item.slots]
        if not self.items:
            windows = [_window(None, None, s) for s in self.loose_slots or _other_parts(self.loose_not_parts)]
        gone_days = {d for it in self.excluded for d in ([it.day] if it.day is not None else it.weekdays)}
        gone_dates = {d for it in self.excluded for d in it.dates}
        kept = [w for w in windows if w.date not in gone_dates and (w.weekday is None or WEEKDAYS.index(w.weekday) not in gone_days)]
        timed = {(w.date, w.weekday, w.part_of_day) for w in kept if w.start or w.end}
        # "Wednesday at 7 if you do evening sessions": the evening and 7 pm are one window, the timed one
        kept = [w for w in kept if w.start or w.end or (w.date, w.weekday, w.part_of_day) not in timed]
        unique = sorted(set(kept), key=_order)
        self.result.windows = unique[:MAX_WINDOWS]
        return self.result

    def _dates_of(self, item: _Item, depth: int = 0) -> list[date]:
        if item.base is not None and depth < 4:
            dates = self._dates_of(item.base, depth + 1)
        elif item.day is not None:
            if item.next_week:
                dates = [self.monday + timedelta(days=7 + item.day)]
            else:
                dates = [self.today + timedelta(days=(item.day - self.today.weekday()) % 7 or 7)]
        elif item.week is not None:
            dates = week_days(self.today, item.week)
        else:
            dates = item.dates
        return [d + timedelta(weeks=item.later) for d in dates] if item.later else dates

    # -- days -----------------------------------------------------------------------------------
    def _read_days(self, toks: list[Tok], i: int, next_mod: bool) -> tuple[list[_Item], int]:
        tok = toks[i]
        kind, value = tok.kind, tok.value
        if kind == "day":
            return self._read_weekday(toks, i, next_mod)
        if kind in ("month", "num", "iso", "slash"):
            dates, j = self._read_dates(toks, i)
            return ([_Item(dates=dates)] if dates else []), j
        if kind == "rel":
            offset, part = value
            dates = self._keep([self.today + timedelta(days=offset)])
            return ([_Item(dates=dates, slots=[Slot(part)] if part else [])] if dates else []), i + 1
        if kind == "week":
            return [_Item(week=value)], i + 1
        if kind == "weekend":
            if value == "recurring":
                return [_Item(weekdays=[5, 6])], i + 1
            saturday = self.monday + timedelta(days=5 + 7 * value)
            return [_Item(dates=[d for d in (saturday, saturday + timedelta(days=1)) if d >= self.today])], i + 1
        if kind == "weekdays":
            return [_Item(weekdays=[0, 1, 2, 3, 4], slots=[Slot(value)] if value else [])], i + 1
        if kind == "anyday":
            return [_Item(anyday=True)], i + 1
        if kind == "holiday":
            if i > 0 and toks[i - 1].kind == "prep" and toks[i - 1].value in ("before", "after"):
                self.result.vague = True  # "by Christmas", "after New Year's": a deadline or a period, not a day
                return [], i + 1
            if i + 1 < len(toks) and toks[i + 1].kind == "word" and toks[i + 1].value in _HOLIDAY_NOUNS:
                return [], i + 2  # "our Christmas card", "the holiday party"
            when = _holiday(value, self.today)
            return ([_Item(dates=[when])] if when else []), i + 1
        if kind == "dayafter" and self.last_date is not None:
            return [_Item(dates=[self.last_date + timedelta(days=1)])], i + 1
        return [], i + 1

    def _read_weekday(self, toks: list[Tok], i: int, next_mod: bool) -> tuple[list[_Item], int]:
        day, plural, _ = toks[i].value
        plural = plural or (i > 0 and toks[i - 1].kind == "filler" and toks[i - 1].value == "any")  # "any Friday"
        j = i + 1
        while j < min(i + 3, len(toks)) and (toks[j].kind == "the" or (toks[j].kind == "conj" and toks[j].value == ",")):
            j += 1  # "Friday, Dec 11", "Saturday the 12th"
        if not plural and j < len(toks) and toks[j].kind in ("num", "month", "iso", "slash"):
            dates, k = self._read_dates(toks, j, pair=True)
            if dates:
                return self._pair(day, dates[0]), k
            if k > j + 1:  # a pair whose date has passed ("Thursday Dec 3" on Dec 7): nothing to book
                return [], k
        if j < len(toks) and toks[j].kind == "range" and j + 1 < len(toks) and toks[j + 1].kind == "day":
            last = toks[j + 1].value[0]
            days = [(day + n) % 7 for n in range((last - day) % 7 + 1)]
            if plural or days == [0, 1, 2, 3, 4]:
                return [_Item(weekdays=days)], j + 2
            return [_Item(day=d, next_week=next_mod) for d in days], j + 2
        if plural:
            return [_Item(weekdays=[day])], i + 1
        if _next_is_after(toks, i):
            if i + 2 < len(toks) and toks[i + 2].kind == "mod" and toks[i + 2].value == "next":
                return [_Item(day=day, next_week=True, later=1)], i + 3  # "the Monday after next"
            earlier = next((it for it in reversed(self.items + self._clause_items) if it.day == day or
                            (it.base is not None and it.base.day == day)), None)  # fmt: skip
            if earlier is not None and not (i + 2 < len(toks) and toks[i + 2].kind in ("time", "num", "numword")):
                return [_Item(base=earlier, later=1)], i + 2  # "next Monday or the Monday after"
        if i + 1 < len(toks) and toks[i + 1].kind == "mod" and toks[i + 1].value in ("postnext", "postlast"):
            if toks[i + 1].value == "postlast":  # "lundi dernier": a day gone by
                self.result.past_date = self.today - timedelta(days=(self.today.weekday() - day) % 7 or 7)
                return [], i + 2
            return [_Item(day=day, next_week=True)], i + 2  # "vendredi prochain", "el viernes que viene"
        return [_Item(day=day, next_week=next_mod)], i + 1

    def _pair(self, day: int, when: date) -> list[_Item]:
        if when.weekday() == day:
            return [_Item(dates=[when])]
        nearest = when + timedelta(days=(day - when.weekday() + 3) % 7 - 3)
        # The date as written first, then the nearest day with the weekday as written.
        choices = tuple(Window(date=d, weekday=WEEKDAYS[d.weekday()]) for d in (when, nearest) if d >= self.today)
        return [_Item(conflict=DateConflict(day, when, choices))]

    def _read_dates(self, toks: list[Tok], i: int, pair: bool = False) -> tuple[list[date], int]:
        """Dates from here: "Dec 21, 22 or 23", "21-23 Dec", "the 15th or 16th", "le 15", "2026-12-21", "12/21"."""
        tok = toks[i]
        if tok.kind == "iso":
            return self._keep([_make_date(*tok.value)]), i + 1
        if tok.kind == "slash":
            parts = tok.value
            year = (parts[2] + 2000 if parts[2] < 100 else parts[2]) if len(parts) == 3 else None
            month, day = parts[0], parts[1]
            if month > 12:
                month, day = day, month
            return self._keep([self._month_day(month, day, year)]), i + 1
        if tok.kind == "month":
            days, j = _day_list(toks, i + 1)
            year, j = _year(toks, j)
            return self._keep([self._month_day(tok.value, d, year) for d in days]), j
        days, j = _day_list(toks, i)
        k = _skip(toks, j, ("the",), limit=1)
        if days and k < len(toks) and toks[k].kind == "month":
            year, k2 = _year(toks, k + 1)
            return self._keep([self._month_day(toks[k].value, d, year) for d in days]), k2
        said_the = i > 0 and toks[i - 1].kind == "the" and toks[i - 1].value in ("le", "the")
        if j < len(toks) and ((toks[j].kind == "word" and toks[j].value in _NOT_A_DAY_NOUNS)
                              or (toks[j].value == "of" and j + 1 < len(toks) and toks[j + 1].value in ("us", "them", "you"))):
            return [], j  # "the 9th floor", "our 5th anniversary", "4th Avenue": an ordinal that is not a date
        if days and (tok.value[1] or said_the or pair):
            return self._keep([self._nth(d) for d in days]), j
        return [], i + 1

    def _keep(self, dates: list[date | None]) -> list[date]:
        kept = []
        for when in dates:
            if when is None:
                continue
            if when < self.today:
                self.result.past_date = when
            else:
                kept.append(when)
        return kept

    def _month_day(self, month: int, day: int, year: int | None) -> date | None:
        when = _make_date(year or self.today.year, month, day)
        if when is None or year is not None or when >= self.today or self.today - when <= _RECENT_PAST:
            return when
        return _make_date(when.year + 1, month, day)  # "Jan 5" said in November means the coming January

    def _nth(self, day: int) -> date | None:
        """The next `day`-th of a month, from today on ("the 15th")."""
        year, month = self.today.year, self.today.month
        for _ in range(3):
            when = _make_date(year, month, day)
            if when is not None and when >= self.today:
                return when
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None

    def _week_monday(self, weeks_ahead: int) -> date:
        if weeks_ahead == 0 and self.today.weekday() >= 5:
            return self.monday + timedelta(days=7)  # "this week" said at the weekend is the coming one
        return self.monday + timedelta(days=7 * weeks_ahead)

    # -- times ------------------------------------------------------------------------------------
    def _starts_time(self, toks: list[Tok], i: int) -> bool:
        tok = toks[i]
        if tok.kind == "num" and not tok.value[1] and 1 <= tok.value[0] <= 12 and i + 1 < len(toks):
            nxt = toks[i + 1]  # "6-8pm"; "tmrw 11?"
            if nxt.kind == "range" and i + 2 < len(toks) and toks[i + 2].kind == "time":
                return True
            return i > 0 and toks[i - 1].kind == "rel" and (nxt.kind == "break" or (nxt.kind == "conj" and nxt.value == ","))
        if tok.kind == "num" and not tok.value[1] and 1 <= tok.value[0] <= 12 and i > 0 and toks[i - 1].kind == "rel":
            return True  # "tmrw 11" closing the clause
        if tok.kind != "prep" or i + 1 >= len(toks):
            return False
        nxt = toks[i + 1]
        return nxt.kind in ("time", "numword") or (nxt.kind == "num" and not nxt.value[1] and nxt.value[0] <= 24)

    def _read_slot(self, toks: list[Tok], i: int) -> tuple[Slot | None, int]:
        tok = toks[i]
        if tok.kind == "part":
            return Slot(tok.value), i + 1
        if tok.kind == "slot":
            part, start, end = tok.value
            return Slot(part, time(*start) if start else None, time(*end) if end else None), i + 1
        prep = tok.value if tok.kind == "prep" else "at"
        j = i + 1 if tok.kind == "prep" else i
        first, j = _clock(toks, j)
        if first is None:
            return None, i + 1
        second = None
        if j + 1 < len(toks) and (toks[j].kind == "range" or (toks[j].kind == "conj" and prep == "between")
                                  or (toks[j].kind == "prep" and toks[j].value in ("before", "at"))):  # fmt: skip
            second, k = _clock(toks, j + 1)
            if second is not None:
                j = k
        return _slot_of(prep, first, second), j


_NOT_A_DAY_NOUNS = frozenset(
    """floor floors avenue ave street st road rd grade anniversary birthday place row year years time times round edition
    annual generation century level storey story people persons of staff employees members folks guys headshots photos
    images shots looks outfits minutes mins hours""".split()
)
_HOLIDAY_NOUNS = frozenset(
    """card cards party parties break holidays holiday season rush gift gifts present presents dinner shopping vacation
    closure hours mini minis session sessions photo photos portrait portraits decorations sale market week eve""".split()
)
_PARTS: tuple[PartOfDay, ...] = ("morning", "afternoon", "evening")
_WEEK_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}


def _other_parts(refused: list[str]) -> list[Slot]:
    """The parts of the day left when some are refused ("not mornings" → afternoon, evening)."""
    return [Slot(p) for p in _PARTS if p not in refused] if refused else []


def _weeks_from(toks: list[Tok], i: int) -> int | None:
    """N in "a week from Friday", "two weeks from today" (the day follows), else None."""
    if i + 3 >= len(toks) or toks[i + 1].value not in ("week", "weeks") or toks[i + 2].kind != "prep" or toks[i + 2].value != "from":
        return None
    tok = toks[i]
    if tok.kind == "num" and not tok.value[1] and 1 <= tok.value[0] <= 8:
        return int(tok.value[0])
    if tok.kind in ("word", "numword"):
        count = _WEEK_COUNTS.get(tok.value) if tok.kind == "word" else tok.value
        return count if isinstance(count, int) and 1 <= count <= 8 else None
    return None


def _next_is_after(toks: list[Tok], i: int) -> bool:
    return i + 1 < len(toks) and toks[i + 1].kind == "prep" and toks[i + 1].value == "after"


def week_days(today: date, weeks_ahead: int) -> list[date]:
    """Mon-Fri of a week: "this week" is what is left of it after today (the coming week at a weekend or on a
    Friday), "next week" the next calendar week."""
    monday = today - timedelta(days=today.weekday())
    if weeks_ahead == 0:
        left = [monday + timedelta(days=i) for i in range(5) if monday + timedelta(days=i) > today]
        return left or [monday + timedelta(days=7 + i) for i in range(5)]
    return [monday + timedelta(days=7 * weeks_ahead + i) for i in range(5)]


def option_windows(option: str, today: date) -> tuple[list[Window], bool]:
    """Windows for an availability button, the same as typing its label: (windows, flexible)."""
    if option in ("this_week", "next_week"):
        days = week_days(today, 0 if option == "this_week" else 1)
        return [Window(date=d, weekday=WEEKDAYS[d.weekday()]) for d in days], False
    if option in ("weekday_mornings", "weekday_evenings"):
        part: PartOfDay = "morning" if option == "weekday_mornings" else "evening"
        return [Window(weekday=WEEKDAYS[i], part_of_day=part) for i in range(5)], False
    if option == "weekends":
        return [Window(weekday=WEEKDAYS[i]) for i in (5, 6)], False
    return [], True


def _window(when: date | None, weekday: Weekday | None, slot: Slot) -> Window:
    return Window(date=when, weekday=weekday, part_of_day=slot.part, start=slot.start, end=slot.end)


def _order(window: Window) -> tuple[int, str, int, str, str]:
    rank = 0 if window.date else 1 if window.weekday else 2
    day = WEEKDAYS.index(window.weekday) if window.weekday else 7
    return (rank, window.date.isoformat() if window.date else "", day, window.part_of_day, str(window.start or ""))


def _slot_of(prep: str, first: tuple[int, int, bool], second: tuple[int, int, bool] | None) -> Slot:
    if second is not None:
        end = _hour(second)
        start = _hour(first, pm=end.hour >= 12 and not first[2] and first[0] < end.hour % 12 + (12 if end.hour > 12 else 0))
        if start >= end and not first[2]:
            start = _hour(first, am=True)
        return Slot(_part_at(start), start, end)
    when = _hour(first)
    if prep == "before":
        return Slot(_part_at((datetime.combine(date.min, when) - timedelta(minutes=1)).time() if when != time(0) else when),
                    None, when)  # fmt: skip
    return Slot(_part_at(when), when, None)


def _hour(clock: tuple[int, int, bool], pm: bool = False, am: bool = False) -> time:
    """A clock time; a bare hour 1-7 is afternoon, 8-11 morning, 12 noon (unless told otherwise)."""
    hour, minute, explicit = clock
    if not explicit and not am and (pm or 1 <= hour <= 7) and hour < 12:
        hour += 12
    return time(hour % 24, minute)


def _part_at(when: time) -> PartOfDay:
    return "morning" if when.hour < 12 else "afternoon" if when.hour < 17 else "evening"


def _clock(toks: list[Tok], i: int) -> tuple[tuple[int, int, bool] | None, int]:
    i = _skip(toks, i, ("the", "filler"), limit=1)
    if i >= len(toks):
        return None, i
    tok = toks[i]
    if tok.kind == "time":
        return tok.value, i + 1
    if tok.kind == "numword" and 1 <= tok.value <= 12:
        return (tok.value, 0, False), i + 1
    if tok.kind == "num" and not tok.value[1] and 0 <= tok.value[0] <= 24:
        return (tok.value[0] % 24, 0, tok.value[0] > 12), i + 1
    return None, i


def _mergeable(earlier: Slot, later: Slot) -> bool:
    """A part word and a clock time side by side describe one slot ("mornings before 10", "after 3 in the afternoon")."""
    timed = [s for s in (earlier, later) if s.start or s.end]
    return len(timed) == 1


def _merge(earlier: Slot, later: Slot) -> Slot:
    timed, word = (earlier, later) if earlier.start or earlier.end else (later, earlier)
    start, end = (_shift(t, word.part) if t else None for t in (timed.start, timed.end))
    return Slot(word.part if word.part != "any" else timed.part, start, end)


def _shift(when: time, part: PartOfDay) -> time:
    """A bare hour read as pm moves to the morning when the person said morning ("Saturday morning at 7")."""
    if part == "morning" and when.hour >= 13:
        return when.replace(hour=when.hour - 12)
    if part in ("afternoon", "evening") and when.hour < 12 and when.hour != 0:
        return when.replace(hour=when.hour + 12)
    return when


def _day_list(toks: list[Tok], i: int) -> tuple[list[int], int]:
    """Day numbers joined by "," / "or" / "-": [21, 22, 23] from "21, 22 or 23" or "21-23"."""
    days: list[int] = []
    j = i
    while j < len(toks) and toks[j].kind == "num" and 1 <= toks[j].value[0] <= 31:
        number = toks[j].value[0]
        if days and number <= days[-1]:
            break
        if days and toks[j - 1].kind == "range":
            days += list(range(days[-1] + 1, min(number, days[-1] + MAX_WINDOWS) + 1))
        else:
            days.append(number)
        k = _skip(toks, j + 1, ("conj", "range"), limit=1)
        k = _skip(toks, k, ("the",), limit=1) if k > j + 1 else k
        if k == j + 1 or k >= len(toks) or toks[k].kind != "num" or toks[k].value[0] > 31:
            return days, j + 1
        j = k
    return days, j


def _year(toks: list[Tok], i: int) -> tuple[int | None, int]:
    j = _skip(toks, i, ("conj",), limit=1)
    if j < len(toks) and toks[j].kind == "num" and 2000 <= toks[j].value[0] <= 2100:
        return toks[j].value[0], j + 1
    return None, i


def _skip(toks: list[Tok], i: int, kinds: tuple[str, ...], limit: int) -> int:
    while limit and i < len(toks) and toks[i].kind in kinds:
        i, limit = i + 1, limit - 1
    return i


def _next_is(toks: list[Tok], i: int, kind: str) -> bool:
    j = _skip(toks, i + 1, ("the",), limit=1)
    if j < len(toks) and toks[j].kind == kind:
        return True
    return i > 0 and toks[i - 1].kind in ("num", "the") and (toks[i - 1].kind == "num" or (i > 1 and toks[i - 2].kind == "num"))


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _holiday(key: str, today: date) -> date | None:
    """The next date of a named day (Canada and BC holidays, and their eves) that is not in the past."""
    for year in (today.year, today.year + 1):
        when: date | None
        if key in _FIXED_DAYS:
            when = date(year, *_FIXED_DAYS[key])
        else:
            when = _holiday_dates(year).get(_LIBRARY_NAMES.get(key, ""))
        if when is not None and when >= today:
            return when
    return None


@lru_cache(maxsize=8)
def _holiday_dates(year: int) -> dict[str, date]:
    calendar = holidays.country_holidays("CA", subdiv="BC", years=year, categories=("public", "optional"), language="en_CA")
    return {name: when for when, name in sorted(calendar.items()) if "observed" not in name}


def _has_phrase(lowered: str, phrase: str) -> bool:
    return _phrase_re(phrase.lower()).search(lowered) is not None


@lru_cache(maxsize=512)
def _phrase_re(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@.]){re.escape(phrase)}(?![\w@])")
