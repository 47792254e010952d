"""Leads as JSON or CSV: one pydantic shape for every export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


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


def to_csv(leads: Iterable[Any]) -> str:
    """CSV with a header row; availability as JSON text in its cell; no cell can start a formula."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(LeadRecord.model_fields))
    writer.writeheader()
    for record in records(leads):
        row = record.model_dump(mode="json")
        row["availability"] = json.dumps(row["availability"], ensure_ascii=False)
        writer.writerow({key: as_text_cell(value) for key, value in row.items()})
    return buffer.getvalue()
