"""Reading facts from free text: availability, contacts, names, uses, head counts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.content import ContentPack
from bot.engine.availability import parse_availability
from bot.engine.parsing import extract, find_email, find_name, find_phone, find_use, normalise_phone, read_count

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=ZoneInfo("America/Vancouver"))  # Sunday


def windows(text: str, content: ContentPack) -> list[tuple[str | None, str | None, str]]:
    result = parse_availability(text, NOW, content.intake)
    return [(w.date.isoformat() if w.date else None, w.weekday, w.part_of_day) for w in result.windows]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next Tuesday afternoon", [("2026-12-01", "tue", "afternoon")]),
        ("Dec 8", [("2026-12-08", "tue", "any")]),
        ("8th of December, mornings", [("2026-12-08", "tue", "morning")]),
        ("2026-12-15", [("2026-12-15", "tue", "any")]),
        ("this weekend", [("2026-11-29", "sun", "any")]),
        ("next weekend", [("2026-12-05", "sat", "any"), ("2026-12-06", "sun", "any")]),
        ("tomorrow evening", [("2026-11-30", "mon", "evening")]),
        ("Jan 5", [("2027-01-05", "tue", "any")]),
        ("mondays", [(None, "mon", "any")]),
    ],
)
def test_availability_resolves_free_text_in_the_studio_zone(text: str, expected: list, content: ContentPack) -> None:
    assert windows(text, content) == expected


def test_availability_weekday_evenings_are_recurring_windows(content: ContentPack) -> None:
    assert windows("weekday evenings", content) == [(None, d, "evening") for d in ("mon", "tue", "wed", "thu", "fri")]


@pytest.mark.parametrize("text", ["Nov 2", "2025-12-01", "yesterday", "last monday"])
def test_availability_past_dates_are_reported_not_kept(text: str, content: ContentPack) -> None:
    result = parse_availability(text, NOW, content.intake)
    assert result.windows == [] and result.past_date is not None and result.past_date < NOW.date()


def test_availability_flexible_words(content: ContentPack) -> None:
    assert parse_availability("I'm flexible", NOW, content.intake).flexible


def test_email_is_validated_and_normalised() -> None:
    assert find_email("mail me at Dana@Example.COM please") == "Dana@example.com"
    assert find_email("dana@localhost") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("604-555-0123", "+16045550123"), ("call +44 20 7946 0958", "+442079460958"), ("(778) 555 0199", "+17785550199"), ("12345", None)],
)
def test_phone_is_stored_as_e164(text: str, expected: str | None) -> None:
    assert find_phone(text) == expected


def test_shared_contact_number_without_plus_is_normalised() -> None:
    assert normalise_phone("16045550123") == "+16045550123"
    assert normalise_phone("not a number") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("I'm Dana", "Dana"), ("my name is dana lee", "Dana Lee"), ("Dana here, for acting", "Dana"), ("I'm free Tuesday", None),
     ("I'm looking for headshots", None)],
)
def test_name_is_read_only_when_introduced(text: str, expected: str | None) -> None:
    assert find_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("it's for my LinkedIn", "linkedin"), ("our team page", "team"), ("new photos for the company website", "company_website"),
     ("audition shots for my agent", "acting"), ("keynote at a conference", "speaking"), ("hinge profile", "dating"), ("hello", None)],
)
def test_use_is_understood_from_free_text(text: str, expected: str | None, content: ContentPack) -> None:
    assert find_use(text, content.intake) == expected


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("about 8", 8), ("twelve", 12), ("a team of 15", 15), ("lots", None)])
def test_head_count(text: str, expected: int | None) -> None:
    assert read_count(text) == expected


def test_extract_reads_everything_in_one_message(content: ContentPack) -> None:
    found = extract("I'm Dana, LinkedIn, free next Thu morning, dana@x.com", NOW, content.intake)
    assert (found.name, found.use, found.email) == ("Dana", "linkedin", "dana@x.com")
    assert [w.date for w in found.availability.windows] == [date(2026, 12, 3)]


@pytest.mark.parametrize(
    ("text", "parts"),
    [("I am Dana, next Tuesday afternoon", ["afternoon"]), ("Friday at 10am", ["morning"]), ("Friday 4 p.m.", ["afternoon"]),
     ("Friday around 6:30pm", ["evening"])],
)  # fmt: skip
def test_clock_times_give_the_part_of_day_but_i_am_does_not(text: str, parts: list[str], content: ContentPack) -> None:
    assert [w[2] for w in windows(text, content)] == parts
