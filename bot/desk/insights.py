"""A new lead's suggested follow-up: a two-line summary, a priority with its reason, and a draft to the prospect.

Two organisers write it: the template one (rules and prompts/desk.yaml, always available) and, with a model
configured, bot.desk.insight_model's, which falls back to the template's whenever its answer is in doubt. Every
text here is plain (escaped where it is shown as HTML); a studio fact that is unset is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.content import PLACEHOLDER, ContentPack
from bot.desk.cards import Desk, mentions, soon_window
from bot.engine.render import clip, describe_windows, facts_of_lead
from bot.engine.state import Window
from bot.engine.vocabulary import InsightSource, Priority
from db.base import utcnow
from db.models import Lead

NOTES_IN_SUMMARY = 80  # characters of the prospect's notes quoted in the template's summary
_EMAIL_RE = re.compile(r"[^\s@<>,;]+@[^\s@<>,;]+")
_PHONE_RE = re.compile(r"\+?\d[\d\s().-]{5,}\d")  # seven digits or more, however spaced


@dataclass(frozen=True)
class Insight:
    """What the photographer reads under a new lead's card; the draft reaches the prospect only on a tap."""

    summary: str  # at most two lines
    priority: Priority
    reason: str
    draft: str
    source: InsightSource


class Organiser(Protocol):
    """Works out a new lead's insight; a model's failure is never raised (the template's insight stands in)."""

    at_once: bool  # ready without waiting on anything: it rides in the lead's first card instead of an edit of it

    async def insight(self, lead: Lead) -> Insight: ...


class TemplateOrganiser:
    """The insight without a model: the desk's rules for the priority, desk.yaml's words for the rest."""

    at_once = True

    def __init__(self, desk: Desk, clock: Callable[[], datetime] = utcnow) -> None:
        self.desk = desk
        self.clock = clock

    async def insight(self, lead: Lead) -> Insight:
        """The template's insight for a lead."""
        return self.compose(lead, self.today())

    def today(self) -> date:
        """Today in the studio's zone."""
        return self.clock().astimezone(self.desk.zone).date()

    def compose(self, lead: Lead, today: date) -> Insight:
        """Summary, priority, reason and draft from the lead's facts and the studio's."""
        priority, reason = priority_of(lead, self.desk, today)
        return Insight(summary_of(lead, self.desk), priority, reason, draft_of(lead, self.desk), InsightSource.TEMPLATE)


def priority_of(lead: Lead, desk: Desk, today: date) -> tuple[Priority, str]:
    """High for a big team or a deadline (a date within days, or a deadline in the notes), low for a vague request."""
    flags, reasons, pack = desk.text.flags, desk.text.insights.reasons, desk.pack
    urgent = []
    if lead.people is not None and lead.people > flags.team_over:
        urgent.append(fill_plain(reasons.team, pack, people=str(lead.people)))
    window = soon_window(lead, today, flags.deadline_days)
    if window is not None:
        when = describe_windows([Window.model_validate(window)], pack)
        urgent.append(fill_plain(reasons.soon, pack, when=when, days=str(flags.deadline_days)))
    if mentions(lead.notes, flags.deadline_words):
        urgent.append(fill_plain(reasons.deadline, pack))
    if urgent:
        return Priority.HIGH, ", ".join(urgent)
    if not lead.availability and not lead.email and not lead.phone:
        return Priority.LOW, fill_plain(reasons.vague, pack)
    return Priority.NORMAL, fill_plain(reasons.normal, pack)


def summary_of(lead: Lead, desk: Desk) -> str:
    """Two lines: who and what for (and how many), then when (and the start of the notes)."""
    text, pack = desk.text.insights, desk.pack
    name, use = lead.name or text.no_name, desk.use_label(lead.intended_use)
    if lead.intended_use == "other" and lead.intended_use_text:
        use = f"{use} (“{clip(lead.intended_use_text, 40)}”)"
    who = text.summary_team if lead.people else text.summary_who
    first = fill_plain(who, pack, name=name, use=use, people=str(lead.people or ""))
    when = availability_words(lead, pack)
    second = fill_plain(text.summary_notes if lead.notes else text.summary_when, pack, availability=when,
                        notes=clip(lead.notes or "", NOTES_IN_SUMMARY))  # fmt: skip
    return f"{first}\n{second}"


def draft_of(lead: Lead, desk: Desk) -> str:
    """The template's follow-up to the prospect, with their first name, use and availability and the studio's facts."""
    text, pack = desk.text.insights, desk.pack
    first_name = lead.name.split()[0] if lead.name and lead.name.split() else text.first_name_missing
    use = text.uses.get(lead.intended_use or "other", text.uses["other"])
    if lead.availability:
        when = fill_plain(text.when_dated, pack, availability=availability_words(lead, pack))
    else:
        when = fill_plain(text.when_open, pack)
    prices = fill_plain(text.team_prices if lead.intended_use in pack.intake.team_uses else text.prices, pack)
    return fill_plain(text.draft, pack, first_name=first_name, use=use, when=when, prices=prices)


def availability_words(lead: Lead, pack: ContentPack) -> str:
    """The lead's availability as the intake summarised it: "Thu Dec 3, morning" or "flexible, to be arranged"."""
    facts = facts_of_lead(lead)
    return describe_windows(facts.availability, pack, facts.availability_flexible)


def facts_for_model(lead: Lead, desk: Desk) -> dict[str, Any]:
    """What the model may know of a lead: no email or phone (only whether there is one), not even inside free text."""
    own_words = lead.intended_use_text if lead.intended_use == "other" else None  # else it is often the whole message
    return {
        "first_name": lead.name.split()[0] if lead.name and lead.name.split() else None,
        "use": desk.text.insights.uses.get(lead.intended_use or "other", desk.text.insights.uses["other"]),
        "use_in_their_words": _masked(own_words),
        "people": lead.people,
        "availability": availability_words(lead, desk.pack),
        "notes": _masked(lead.notes),
        "has_email": bool(lead.email),
        "has_phone": bool(lead.phone),
    }


def _masked(text: str | None) -> str | None:
    if text is None:
        return None
    return _PHONE_RE.sub("[phone]", _EMAIL_RE.sub("[email]", text))


def fill_plain(template: str, pack: ContentPack, **values: str) -> str:
    """A plain-text template, line by line: the given values, then studio facts; a line with an unset fact says so."""
    lines = []
    for line in template.strip().splitlines():
        facts = [key for key in PLACEHOLDER.findall(line) if key not in values]
        unset = [key for key in facts if pack.fact(key) is None]
        if unset:
            label = pack.studio.facts[unset[0]].label if unset[0] in pack.studio.facts else unset[0]
            photographer = pack.photographer
            lines.append(pack.messages.photographer_will_confirm.format(label=label, photographer=photographer))
            continue
        filled = values | {key: pack.fact(key) or "" for key in facts}
        lines.append(_substituted(line, filled))
    return "\n".join(lines).strip()


def _substituted(line: str, values: dict[str, str]) -> str:
    # One pass over the template only: a value (what a prospect typed) is never read as a template itself.
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], line)
