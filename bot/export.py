"""Leads as JSON or CSV: one pydantic shape for every export, and a flat row of it for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.engine.state import WEEKDAYS, Window


class LeadRecord(BaseModel):
    """A lead as exported: ISO timestamps, availability in the window format."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime
    status: str
    name: str | None
    telegram_user_id: int | None
    telegram_username: str | None
    chat_id: int
    intended_use: str | None
    intended_use_text: str | None
    people: int | None
    availability: list[dict[str, Any]]
    availability_text: str | None
    email: str | None
    phone: str | None
    source: str | None
    notes: str | None
    language_code: str | None


def records(leads: Iterable[Any]) -> list[LeadRecord]:
    """Export records for stored leads."""
    return [LeadRecord.model_validate(lead) for lead in leads]


def to_json(leads: Iterable[Any]) -> str:
    """A JSON list of lead objects."""
    return json.dumps([r.model_dump(mode="json") for r in records(leads)], indent=2, ensure_ascii=False) + "\n"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula


def as_text_cell(value: Any) -> Any:
    """A prospect's words as a cell that spreadsheets show as text: a leading ' disarms =HYPERLINK(...) and the like."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class LeadRow(BaseModel):
    """A lead as one spreadsheet row: availability in words, and the prospect's own words once.

    A booking typed in one message is stored as the text of both the use and the availability; a row shows it once
    (`their_words`), and JSON stays the format with every field as stored."""

    id: int
    created_at: datetime
    updated_at: datetime
    status: str
    name: str | None
    telegram_user_id: int | None
    telegram_username: str | None
    chat_id: int
    intended_use: str | None
    people: int | None
    availability: str
    email: str | None
    phone: str | None
    source: str | None
    notes: str | None
    language_code: str | None
    their_words: str | None

    @classmethod
    def of(cls, record: LeadRecord) -> LeadRow:
        """The row for an export record."""
        fields = record.model_dump(exclude={"availability", "intended_use_text", "availability_text"})
        texts = dict.fromkeys(t.strip() for t in (record.intended_use_text, record.availability_text) if t and t.strip())
        return cls(**fields, availability=availability_words(record.availability), their_words=" | ".join(texts) or None)


def availability_words(windows: list[dict[str, Any]]) -> str:
    """Stored windows as sortable words: "Thu 2026-12-17 morning; Sats afternoon from 15:00"."""
    return "; ".join(_window_words(Window.model_validate(window)) for window in windows)


def _window_words(window: Window) -> str:
    if window.date is not None:
        day = f"{WEEKDAYS[window.date.weekday()].title()} {window.date.isoformat()}"
    else:
        day = f"{window.weekday.title()}s" if window.weekday else "any day"
    start, end = (t.strftime("%H:%M") if t else None for t in (window.start, window.end))
    hours = f"{start}–{end}" if start and end else f"from {start}" if start else f"until {end}" if end else ""
    part = "" if window.part_of_day == "any" else window.part_of_day
    return " ".join(word for word in (day, part, hours) if word)


def to_csv(leads: Iterable[Any]) -> str:
    """CSV with a header row, one column per field (no JSON in a cell); no cell can start a formula."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(LeadRow.model_fields))
    writer.writeheader()
    for record in records(leads):
        row = LeadRow.of(record).model_dump(mode="json")
        writer.writerow({key: as_text_cell(value) for key, value in row.items()})
    return buffer.getvalue()
