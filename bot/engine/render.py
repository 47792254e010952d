"""Turning facts into words: availability, the summary, the lead card. Every user string is escaped here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from bot.content import ContentPack
from bot.engine.state import WEEKDAYS, IntakeFacts, Window
from bot.engine.vocabulary import QuestionKind, Use

_DAY_LABELS = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def describe_windows(windows: Iterable[Window], content: ContentPack, flexible: bool = False) -> str:
    """Availability in words, every dated day with its weekday: "Thu Dec 10, afternoon from 15:00; weekdays, evening"."""
    windows = list(windows)
    if not windows:
        return content.intake.flexible_label if flexible else content.intake.not_given
    phrases: list[str] = []
    undated: dict[tuple[str, str], list[str]] = {}
    for window in windows:
        when = _when(window, content)
        if window.date is not None:
            day = f"{_DAY_LABELS[WEEKDAYS[window.date.weekday()]]} {window.date:%b} {window.date.day}"
            phrases.append(f"{day}, {when}")
        else:
            undated.setdefault((window.part_of_day, when), []).append(window.weekday or "")
    for (_, when), days in undated.items():
        phrases.append(f"{_day_group(days)}, {when}")
    return "; ".join(phrases)


def _when(window: Window, content: ContentPack) -> str:
    """The part of the day and its clock bounds: "afternoon from 15:00", "morning until 12:00"."""
    labels = content.intake.part_of_day_labels
    part = labels.get(window.part_of_day, window.part_of_day)
    start, end = (t.strftime("%H:%M") if t else None for t in (window.start, window.end))
    if start and end:
        return f"{part} {start}–{end}"
    if start:
        return f"{part} {labels.get('from', 'from')} {start}"
    if end:
        return f"{part} {labels.get('until', 'until')} {end}"
    return part


def _day_group(days: list[str]) -> str:
    unique = [d for d in WEEKDAYS if d in days]
    if unique == list(WEEKDAYS[:5]):
        return "weekdays"
    if unique == ["sat", "sun"]:
        return "weekends"
    if not unique:
        return "any day"
    return ", ".join(_DAY_LABELS[d] + "s" for d in unique)


def fact_lines(facts: IntakeFacts, content: ContentPack, username: str | None = None, source: str | None = None) -> list[str]:
    """The summary lines of an intake, escaped, in the order the photographer reads them."""
    vocab = content.intake
    labels = vocab.summary_labels
    rows: list[tuple[str, str | None]] = []
    use_label = vocab.uses[facts.use].label if facts.use else None
    if use_label and facts.use is Use.OTHER and facts.use_text:
        use_label = f"{use_label} (“{clip(facts.use_text, 80)}”)"
    rows.append((labels["use"], use_label))
    if facts.people is not None or facts.use in vocab.team_uses:
        rows.append((labels["people"], str(facts.people) if facts.people else None))
    rows.append((labels["availability"], describe_windows(facts.availability, content, facts.availability_flexible)))
    rows += [(labels["name"], facts.name), (labels["email"], facts.email), (labels["phone"], facts.phone)]
    if username:
        rows.append((labels["telegram"], "@" + username))
    rows.append((labels["notes"], clip(facts.notes, 600) if facts.notes else None))
    if source:
        rows.append((labels["source"], source))
    line = content.messages.summary_line
    return [line.format(label=escape(label), value=escape(value or vocab.not_given)) for label, value in rows]


def lead_card(lead: Any, content: ContentPack) -> str:
    """The admin's card for a saved lead (a db Lead or anything with the same attributes)."""
    facts = facts_of_lead(lead)
    header = f"<b>New lead #{lead.id}</b>"
    return "\n".join([header, *fact_lines(facts, content, lead.telegram_username, lead.source)])


def facts_of_lead(lead: Any) -> IntakeFacts:
    """Rebuild intake facts from a stored lead, for rendering."""
    windows = [Window.model_validate(w) for w in (lead.availability or [])]
    return IntakeFacts.model_construct(
        use=lead.intended_use,
        use_text=lead.intended_use_text,
        people=lead.people,
        availability=windows,
        availability_flexible=not windows,
        name=lead.name,
        email=lead.email,
        phone=lead.phone,
        notes=lead.notes,
        skipped=[],
    )


def fill(template: str, content: ContentPack, **values: str | None) -> str:
    """A message template with studio facts and escaped values filled in."""
    params: dict[str, str] = {
        "studio_name": escape(content.studio_name),
        "photographer": escape(content.photographer),
        "city": escape(content.fact_or_confirm("city")),
    }
    params |= {k: escape(v) if v is not None else "" for k, v in values.items()}
    return template.format_map(_Strict(params))


def clip(text: str, limit: int) -> str:
    """The text on one line, cut to `limit` characters with an ellipsis when longer (for cards, lists, summaries)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Strict(dict[str, str]):
    """format_map mapping that names the missing key instead of raising a bare KeyError."""

    def __missing__(self, key: str) -> str:
        raise KeyError(f"template placeholder {{{key}}} has no value")


def lead_fields(facts: IntakeFacts) -> Mapping[str, Any]:
    """The lead columns that come from the intake facts."""
    return {
        "name": facts.name,
        "intended_use": facts.use,
        "intended_use_text": facts.use_text,
        "people": facts.people,
        "availability": [w.as_json() for w in facts.availability],
        "availability_text": facts.availability_text,
        "email": facts.email,
        "phone": facts.phone,
        "notes": facts.notes,
    }


def admin_notice_text(kind: QuestionKind | None, chat_id: int, text: str, content: ContentPack, lead_id: int | None = None,
                      question_id: int | None = None) -> str:  # fmt: skip
    """The photographer's copy of an unanswered question, a photography inquiry, or (kind None) a message written
    after a lead."""
    lead = fill(content.messages.admin_lead_ref, content, lead_id=str(lead_id)) if lead_id else ""
    templates = {QuestionKind.QUESTION: content.messages.admin_question, QuestionKind.INQUIRY: content.messages.admin_inquiry}
    template = templates[kind] if kind is not None else content.messages.admin_message
    filled = fill(template, content, question_id=str(question_id or ""), chat_id=str(chat_id), text=text, lead="\x00")
    return filled.replace("\x00", lead)


def my_data_summary(data: Mapping[str, Any], content: ContentPack) -> str:
    """What a prospect sees for /mydata: their leads in words, and how much else is kept."""
    msgs = content.messages
    leads, messages, questions = data.get("leads") or [], data.get("messages") or [], data.get("questions") or []
    if not (leads or messages or questions or data.get("conversation")):
        return fill(msgs.mydata_empty, content)
    parts = [msgs.mydata_header]
    for lead in leads:
        facts = facts_of_lead(_Record(lead))
        parts.append("\n".join([f"#{lead['id']} ({escape(str(lead['status']))})", *fact_lines(facts, content, lead.get("telegram_username"))]))
    parts.append(f"Messages in this chat's history: {len(messages)}. Questions passed to the photographer: {len(questions)}.")
    parts.append(fill(msgs.mydata_footer, content))
    return "\n\n".join(parts)


class _Record:
    """Attribute access over an exported row, so facts_of_lead reads it like a model."""

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.__dict__.update(row)
