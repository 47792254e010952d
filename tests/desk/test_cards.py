"""What the admin chats read: card flags, escaping, histories that fit, and desk.yaml's validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from bot.content import PACKAGED_PROMPTS, TELEGRAM_LIMIT, ContentPack
from bot.desk.cards import Desk, lead_flags, lead_message, render_card, render_history
from bot.desk.content import DeskContent, Insights, load_desk_content
from bot.engine.vocabulary import Direction, InsightSource, LeadStatus, Priority
from bot.errors import ContentError
from db.models import Lead, LeadEvent, LeadInsight, Message

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def desk(content: ContentPack) -> Desk:
    """The shipped wording, in the default zone."""
    from zoneinfo import ZoneInfo

    return Desk(content, load_desk_content(), ZoneInfo("America/Vancouver"))


def _lead(**fields: object) -> Lead:
    values: dict[str, object] = {"id": 7, "status": LeadStatus.NEW, "chat_id": 42, "name": "Dana", "availability": [],
                                 "email": "dana@example.com", "created_at": NOW}  # fmt: skip
    return Lead(**(values | fields))


def _on(day: date) -> list[dict[str, str | None]]:
    return [{"date": day.isoformat(), "weekday": None, "part_of_day": "morning"}]


@pytest.mark.parametrize(
    ("fields", "flags"),
    [
        ({}, []),
        ({"availability": _on(TODAY + timedelta(days=7))}, ["deadline"]),
        ({"availability": _on(TODAY + timedelta(days=8))}, []),
        ({"availability": _on(TODAY - timedelta(days=1))}, []),
        ({"notes": "Our DEADLINE is the launch"}, ["deadline"]),
        ({"notes": "no deadlines here: deadlineless"}, []),
        ({"people": 11}, ["team"]),
        ({"people": 10}, []),
        ({"email": None, "phone": None}, ["no_contact"]),
        ({"email": None, "phone": "+16045550123"}, []),
    ],
)
def test_flags_worth_a_glance(desk: Desk, fields: dict[str, object], flags: list[str]) -> None:
    expected = [desk.line(getattr(desk.text.flags, f), days=7, people=fields.get("people")) for f in flags]
    assert lead_flags(_lead(**fields), desk, TODAY) == expected


def test_card_escapes_what_the_prospect_typed(desk: Desk) -> None:
    card = render_card(_lead(name="<b>Dana</b> & co", notes="<script>"), None, desk, NOW)
    assert "&lt;b&gt;Dana&lt;/b&gt; &amp; co" in card and "&lt;script&gt;" in card and "<script>" not in card


def test_card_after_a_change_shows_status_and_who(desk: Desk) -> None:
    event = LeadEvent(actor="Anna <admin>", old_status=LeadStatus.NEW, new_status=LeadStatus.BOOKED, created_at=NOW)
    card = render_card(_lead(status=LeadStatus.BOOKED), event, desk, NOW)
    assert card.startswith("<b>Lead #7</b> · Booked") and "by Anna &lt;admin&gt;" in card and "Nov 29 12:00" in card


def _insight(**fields: object) -> LeadInsight:
    values: dict[str, object] = {"lead_id": 7, "summary": "Dana · LinkedIn", "priority": Priority.NORMAL, "reason": "no rush",
                                 "draft": "Hi Dana, thank you!", "source": InsightSource.TEMPLATE, "sent_at": None}  # fmt: skip
    return LeadInsight(**(values | fields))


def _buttons(markup: object) -> list[str]:
    return [b.text for row in markup.inline_keyboard for b in row]  # type: ignore[attr-defined]


def test_card_carries_the_follow_up_and_its_buttons_until_it_is_sent(desk: Desk) -> None:
    text, markup = lead_message(_lead(), None, desk, NOW, _insight())
    assert "Suggested follow-up" in text and "Hi Dana, thank you!" in text and _buttons(markup)[-2:] == ["Send draft", "Edit draft"]
    text, markup = lead_message(_lead(), None, desk, NOW, _insight(sent_at=NOW, sent_by="Anna", sent_edited=False))
    assert "Sent by Anna" in text and "Send draft" not in _buttons(markup) and "Booked" in _buttons(markup)


def test_a_card_too_long_for_telegram_drops_the_draft_and_its_buttons_together(desk: Desk) -> None:
    lead = _lead(notes='"' * 600)  # escaped, each quote is six characters of HTML
    text, markup = lead_message(lead, None, desk, NOW, _insight(draft="Hi Dana! " * 100))
    assert len(text) <= TELEGRAM_LIMIT and text.startswith("<b>New lead #7</b>")
    assert "Hi Dana!" not in text and "Send draft" not in _buttons(markup)


def test_long_history_keeps_the_newest_messages_within_telegram_limit(desk: Desk) -> None:
    messages = [Message(direction=Direction.IN, text=f"message {i} " + "x" * 290, created_at=NOW) for i in range(40)]
    history = render_history(_lead(), [], messages, [], desk)
    assert len(history) <= TELEGRAM_LIMIT and "message 39 " in history and "message 0 " not in history


def test_shipped_desk_wording_keeps_every_placeholder() -> None:
    # A YAML value with an unquoted " #" loses the rest of the line to a comment: guard the lines that carry ids.
    raw = yaml.safe_load((PACKAGED_PROMPTS / "desk.yaml").read_text())
    for group, key, placeholder in [("handoff", "lead", "{lead_id}"), ("handoff", "note_prompt", "{lead_id}"),
                                    ("handoff", "note_saved", "{lead_id}"), ("lists", "lead_missing", "{lead_id}"),
                                    ("learned", "already", "{learned_id}"), ("learned", "saved", "{learned_id}"),
                                    ("card", "header", "{lead_id}"), ("digest", "lead_line", "{lead_id}")]:  # fmt: skip
        assert placeholder in raw[group][key], (group, key)


def test_a_missing_status_label_fails_with_the_file_and_field(tmp_path: Path) -> None:
    raw = yaml.safe_load((PACKAGED_PROMPTS / "desk.yaml").read_text())
    del raw["statuses"]["lost"]
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(ContentError, match=r"desk.yaml: statuses.*lost"):
        load_desk_content(tmp_path)


def test_an_older_prompts_copy_without_desk_yaml_uses_the_shipped_one(tmp_path: Path) -> None:
    assert load_desk_content(tmp_path) == DeskContent.model_validate(yaml.safe_load((PACKAGED_PROMPTS / "desk.yaml").read_text()))


def test_every_desk_line_fills_with_the_values_the_bot_gives(desk: Desk) -> None:
    # A misspelt {placeholder} in desk.yaml fails here rather than in front of the photographer.
    values = dict.fromkeys(
        "lead_id status when actor filter total page pages name use date text count old new note question_id who chat_id "
        "reason learned_id title answer label week month counts days people comma_name hours".split(), "x")

    def lines(model: BaseModel) -> list[str]:
        found: list[str] = []
        for value in dict(model).values():
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, BaseModel) and not isinstance(value, Insights):  # filled otherwise: test_insights.py
                found += lines(value)
        return found

    templates = lines(desk.text)
    assert len(templates) > 60
    for template in templates:
        desk.line(template, **values)
