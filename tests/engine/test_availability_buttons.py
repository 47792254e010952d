"""Every availability button, and its typed label, on every day of the week and either side of midnight in the
studio's zone: it moves the intake on (Sunday's "This week" once asked the same question for ever)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.content import ContentPack, load_content
from bot.engine.vocabulary import Step
from tests.engine.helpers import Chat

ZONE = ZoneInfo("America/Vancouver")
MONDAY = datetime(2026, 12, 14, tzinfo=ZONE)
# Local times on each day of a week: just after midnight, midday, just before midnight.
CLOCKS = [MONDAY + timedelta(days=d, hours=h, minutes=m) for d in range(7) for h, m in ((0, 1), (12, 0), (23, 59))]
OPTIONS = list(load_content().intake.availability_options.items())


def at_availability(content: ContentPack, local: datetime) -> Chat:
    chat = Chat(content, now=local.astimezone(UTC))  # the transport's clock is UTC
    chat.send("/book")
    chat.send("LinkedIn")
    assert chat.state.step is Step.AVAILABILITY
    return chat


@pytest.mark.parametrize("local", CLOCKS, ids=lambda t: t.strftime("%a-%H%M"))
@pytest.mark.parametrize(("key", "label"), OPTIONS, ids=[k for k, _ in OPTIONS])
@pytest.mark.parametrize("how", ["tap", "type"])
def test_every_availability_button_moves_on(how: str, key: str, label: str, local: datetime, content: ContentPack) -> None:
    chat = at_availability(content, local)
    chat.tap(label) if how == "tap" else chat.send(label)
    facts = chat.state.facts
    assert chat.state.step is Step.NAME
    assert facts.availability or facts.availability_flexible
    assert all(w.date is None or w.date > local.date() for w in facts.availability)


@pytest.mark.parametrize("local", CLOCKS, ids=lambda t: t.strftime("%a-%H%M"))
@pytest.mark.parametrize(("key", "typed"), [("this_week", "free this week"), ("next_week", "any day next week"),
                                            ("weekday_evenings", "weekday evenings"), ("weekends", "weekends")])  # fmt: skip
def test_typed_phrase_gives_what_the_button_gives(key: str, typed: str, local: datetime, content: ContentPack) -> None:
    tapped, written = at_availability(content, local), at_availability(content, local)
    tapped.tap(content.intake.availability_options[key])
    written.send(typed)
    assert written.state.facts.availability == tapped.state.facts.availability


def test_sunday_this_week_is_the_coming_week(content: ContentPack) -> None:
    chat = at_availability(content, datetime(2026, 12, 13, 19, 0, tzinfo=ZONE))
    chat.tap("This week")
    assert [w.date.day for w in chat.state.facts.availability if w.date] == [14, 15, 16, 17, 18]


def test_weekday_date_conflict_is_asked_and_a_tap_settles_it(content: ContentPack) -> None:
    chat = at_availability(content, datetime(2026, 12, 7, 10, 0, tzinfo=ZONE))
    chat.send("Friday Dec 10 in the afternoon")
    assert chat.state.step is Step.AVAILABILITY and "Dec 10 is a Thursday" in chat.texts()
    chat.tap("Fri Dec 11, afternoon")
    assert [(str(w.date), w.part_of_day) for w in chat.state.facts.availability] == [("2026-12-11", "afternoon")]
    assert chat.state.step is Step.NAME and chat.state.choices == []
