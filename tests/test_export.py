"""Lead export columns: each fact once, availability in words, JSON only in the JSON format."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from bot.export import to_csv, to_json
from db.models import Lead

MESSAGE = "I'm Dana, LinkedIn, free next Thu morning, dana@example.com"
WINDOWS = [
    {"date": "2026-12-17", "weekday": "thu", "part_of_day": "morning", "start": None, "end": None},
    {"date": None, "weekday": "sat", "part_of_day": "afternoon", "start": "15:00", "end": None},
    {"date": None, "weekday": None, "part_of_day": "any", "start": "10:00", "end": "12:00"},
]


def _lead(**fields: object) -> Lead:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    values: dict[str, object] = {"id": 1, "created_at": now, "updated_at": now, "status": "new", "name": "Dana",
                                 "telegram_user_id": 1, "telegram_username": "dana", "chat_id": 1, "intended_use": "linkedin",
                                 "intended_use_text": MESSAGE, "people": None, "availability": WINDOWS[:1],
                                 "availability_text": MESSAGE, "email": "dana@example.com", "phone": None, "source": None,
                                 "notes": None, "language_code": "en"}  # fmt: skip
    return Lead(**(values | fields))


def _rows(*leads: Lead) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(to_csv(leads)))
    return list(reader.fieldnames or []), list(reader)


def test_csv_shows_a_message_that_gave_every_fact_once() -> None:
    header, [row] = _rows(_lead())
    assert len(header) == len(set(header))
    assert list(row.values()).count(MESSAGE) == 1 and row["their_words"] == MESSAGE


def test_csv_keeps_distinct_words_for_use_and_availability_in_order() -> None:
    _, [row] = _rows(_lead(intended_use_text="a new LinkedIn photo", availability_text="Thursday morning"))
    assert row["their_words"] == "a new LinkedIn photo | Thursday morning"


def test_csv_gives_availability_as_words_and_no_json_in_any_cell() -> None:
    _, [row] = _rows(_lead(availability=WINDOWS))
    assert row["availability"] == "Thu 2026-12-17 morning; Sats afternoon from 15:00; any day 10:00–12:00"
    assert not any(value.startswith(("[", "{")) for value in row.values())


def test_json_export_keeps_every_field_as_stored() -> None:
    [record] = json.loads(to_json([_lead(availability=WINDOWS)]))
    assert record["availability"] == WINDOWS
    assert record["intended_use_text"] == record["availability_text"] == MESSAGE
