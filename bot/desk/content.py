"""The desk's wording in prompts/desk.yaml: loaded once, validated by pydantic like the rest of the pack."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.content import PACKAGED_PROMPTS, safe_load
from bot.engine.vocabulary import InsightSource, LeadStatus, Priority
from bot.errors import ContentError

FILE_NAME = "desk.yaml"
ADMIN_COMMANDS = ("leads", "lead", "find", "export", "stats", "learned")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Buttons(_Strict):
    note: str
    reply: str
    history: str
    learn: str
    newer: str
    older: str
    all_open: str
    export_learned: str
    send_draft: str
    edit_draft: str


class Flags(_Strict):
    deadline_days: int = Field(ge=1)
    team_over: int = Field(ge=1)
    deadline_words: list[str]
    deadline: str
    team: str
    no_contact: str


class Card(_Strict):
    header_new: str
    header: str
    status_line: str


class Lists(_Strict):
    leads_header: str
    leads_line: str
    leads_empty: str
    leads_usage: str
    lead_usage: str
    lead_missing: str
    find_usage: str
    find_header: str
    find_empty: str
    open_button: str


class History(_Strict):
    header: str
    status: str
    status_note: str
    note: str
    empty: str
    messages: str
    message_in: str
    message_out: str
    questions: str
    question: str


class Handoff(_Strict):
    lead: str
    chat: str
    reply_prompt: str
    note_prompt: str
    note_saved: str
    to_prospect: str
    sent: str
    failed: str
    not_linked: str
    status_changed: str
    status_same: str
    gone: str
    # A default, so a studio's desk.yaml from before the relay outbox still loads.
    queued: str = "Telegram is not taking messages right now: your words to {who} go out as soon as it does."


class Learned(_Strict):
    saved: str
    already: str
    nothing: str
    header: str
    line: str
    empty: str


class Export(_Strict):
    caption: str


class People(_Strict):
    """Who may use the desk: the line a refused tap or command gets, and the replies to /join CODE.

    Defaults, so that a studio's copy of desk.yaml from before assistants existed still loads."""

    refused: str = "Only the studio's desk people can do that. Ask the photographer for an invitation."
    join_usage: str = "Send your invitation code like this: /join ABCD-EFGH-JKLM"
    joined: str = "Welcome to the desk of {studio_name}. You can now use the lead cards' buttons and the desk's commands."
    already: str = "You are on the desk already."
    invalid: str = "That invitation code does not work: it is unknown, used or expired. Ask for a new one."


class Business(_Strict):
    """The desk's lines about Telegram Business chats; defaults, so a studio's desk.yaml from before them still loads."""

    taken_over: str = ("You wrote in business chat {chat_id}: the bot stays quiet there for {hours} h. "
                       "/resume {chat_id} lets it answer again, /pause {chat_id} keeps it quiet.")  # fmt: skip
    pause_usage: str = "Give the business chat: /pause 4242 (and /resume 4242 to let the bot answer again)"
    paused: str = "The bot is paused in business chat {chat_id} until /resume {chat_id}."
    resumed: str = "The bot answers in business chat {chat_id} again."
    unknown: str = "No business chat {chat_id} has written yet."


class Privacy(_Strict):
    """What the admin chats' messages about a prospect who used /forget are edited to; a default, so a studio's
    desk.yaml from before it still loads."""

    deleted: str = "🗑 Deleted at the prospect's request."


class Stats(_Strict):
    header: str
    conversations: str
    intakes: str
    leads: str
    contacted: str
    booked: str
    row: str
    by_use: str
    by_source: str
    group_row: str
    no_source: str
    no_use: str
    open_questions: str


class Digest(_Strict):
    header: str
    leads: str
    lead_line: str
    questions: str
    question_line: str
    more: str


class Weekly(_Strict):
    """The weekly digest's funnel picture and its figures as text; defaults, so a studio's desk.yaml from before it
    still loads."""

    header: str = "<b>Weekly digest</b>: the last 7 days"
    title: str = "Last 7 days"
    questions_title: str = "Top unanswered questions"
    started: str = "Started"
    asked: str = "Asked to book"
    confirmed: str = "Confirmed"
    booked: str = "Booked"
    row: str = "{label}: {count}"
    questions: str = "<b>Top unanswered questions</b>"
    question_line: str = "• {count}× {text}"
    no_questions: str = "No unanswered questions."


class Reasons(_Strict):
    team: str
    soon: str
    deadline: str
    vague: str
    normal: str


class Insights(_Strict):
    """A new lead's suggested follow-up, shown in its card: how it reads, the template's words, the model's instructions."""

    message: str
    sources: dict[InsightSource, str]
    priorities: dict[Priority, str]
    sent: str
    sent_edited: str
    already_sent: str
    edit_prompt: str
    summary_who: str
    summary_team: str
    summary_when: str
    summary_notes: str
    no_name: str
    reasons: Reasons
    draft: str = Field(min_length=1)
    first_name_missing: str
    when_dated: str
    when_open: str
    prices: str
    team_prices: str
    uses: dict[str, str]
    voice: str
    model_system: str
    model_user: str
    # A default, so a studio's desk.yaml from before it still loads.
    flagged: str = "⚠️ Their notes mention {quotes}: the prospect's words, not the studio's, so never part of the draft."
    refused: str = "Not sent: this draft holds {quotes}, which is not the studio's. Use Edit draft to send your own words."

    @field_validator("sources")
    @classmethod
    def _every_source(cls, value: dict[InsightSource, str]) -> dict[InsightSource, str]:
        _require_all(value, InsightSource)
        return value

    @field_validator("priorities")
    @classmethod
    def _every_priority(cls, value: dict[Priority, str]) -> dict[Priority, str]:
        _require_all(value, Priority)
        return value

    @field_validator("uses")
    @classmethod
    def _has_fallback(cls, value: dict[str, str]) -> dict[str, str]:
        if "other" not in value:
            raise ValueError("needs the words for 'other'")
        return value


class DeskContent(_Strict):
    """Every line of prompts/desk.yaml."""

    statuses: dict[LeadStatus, str]
    buttons: Buttons
    commands: dict[str, str] = Field(min_length=1)
    flags: Flags
    card: Card
    lists: Lists
    history: History
    handoff: Handoff
    learned: Learned
    export: Export
    people: People = People()
    business: Business = Business()
    privacy: Privacy = Privacy()
    stats: Stats
    reminder: str
    reminder_button: str
    digest: Digest
    weekly: Weekly = Weekly()
    insights: Insights

    @field_validator("statuses")
    @classmethod
    def _every_status(cls, value: dict[LeadStatus, str]) -> dict[LeadStatus, str]:
        missing = [s.value for s in LeadStatus if s not in value]
        if missing:
            raise ValueError(f"missing statuses: {', '.join(missing)}")
        return value

    @field_validator("commands")
    @classmethod
    def _known_commands(cls, value: dict[str, str]) -> dict[str, str]:
        if set(value) != set(ADMIN_COMMANDS):
            raise ValueError(f"must describe exactly these commands: {', '.join(ADMIN_COMMANDS)}")
        return value

    def status(self, status: LeadStatus) -> str:
        """A status as the photographer reads it."""
        return self.statuses.get(status, status.value)


def _require_all(value: dict[Any, str], kind: type[enum.Enum]) -> None:
    missing = [m.value for m in kind if m not in value]
    if missing:
        raise ValueError(f"missing: {', '.join(missing)}")


def load_desk_content(prompts_dir: Path | None = None) -> DeskContent:
    """desk.yaml from PROMPTS_DIR, or the packaged one when that copy of the pack predates it."""
    path = (prompts_dir or PACKAGED_PROMPTS) / FILE_NAME
    if not path.is_file():
        path = PACKAGED_PROMPTS / FILE_NAME
    try:
        return DeskContent.model_validate(safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ContentError(f"{path}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
