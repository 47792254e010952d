"""The domain's words: every closed set of names the bot decides with, stores, or shows, as one enum each.

It lives in the engine because the engine is the bottom of `bot/`: it may import only itself, `bot.content` and
`bot.errors`, and every other layer may import it. `db/` maps these enums onto its columns (db/models.py); the
content pack keys its uses and edit fields by them (bot.content), so a pack naming a use the bot does not know
fails to load; the services, the desk and the Telegram adapter compare and pass the members, never the strings.
This module imports nothing of the project, so importing it from anywhere (bot.content included) can never close
a cycle: keep it that way.

They are `StrEnum`s: a member is its value wherever a string is wanted (JSON, a dict key, a format string, a
column), so stored data and content files keep the plain words they always had.
"""

from __future__ import annotations

import enum


class Step(enum.StrEnum):
    """What a prospect's conversation is waiting for."""

    IDLE = "idle"
    USE = "use"
    PEOPLE = "people"
    AVAILABILITY = "availability"
    NAME = "name"
    CONTACT = "contact"
    NOTES = "notes"
    CONFIRM = "confirm"
    EDIT = "edit"


class Use(enum.StrEnum):
    """What the headshots are for; prompts/intake.yaml names and describes each (its `uses`)."""

    LINKEDIN = "linkedin"
    COMPANY_WEBSITE = "company_website"
    SPEAKING = "speaking"
    DATING = "dating"
    ACTING = "acting"
    PERSONAL_BRAND = "personal_brand"
    TEAM = "team"
    OTHER = "other"


class ButtonAction(enum.StrEnum):
    """What a button the engine offers a prospect does (its callback data carries one, with a value)."""

    MENU = "menu"  # the greeting's "book" or "ask"
    USE = "use"
    AVAIL = "avail"  # one of intake.yaml's availability options
    PICK = "pick"  # one reading of a weekday that contradicts its date
    NAME = "name"  # the name on the prospect's profile
    SKIP = "skip"
    LEAVE = "leave"
    CONFIRM = "confirm"
    EDIT = "edit"
    FIELD = "field"  # the fact to change, from the edit menu
    RESUME = "resume"  # the unfinished intake's reminder
    FORGET = "forget"  # "yes" or "no" to /forget


class AnswerKind(enum.StrEnum):
    """How a prospect's question is answered."""

    ENTRY = "entry"  # one or more curated entries answer it (parts no entry answers go to the photographer)
    REDIRECT = "redirect"  # not about the studio: a polite pointer back to headshots
    INQUIRY = "inquiry"  # other photography the studio may take on: the photographer replies
    DECLINED = "declined"  # something the studio has said it does not offer
    ABUSE = "abuse"  # insults, spam, nonsense: one neutral line, never a question for the photographer
    INJECTION = "injection"  # an attempt to steer the bot: refused, never forwarded as a question
    HANDOFF = "handoff"  # about the studio, but nothing in the pack answers it: the photographer replies


class NoticeKind(enum.StrEnum):
    """What a notice to the admin chats is about."""

    QUESTION = "question"  # a question (or inquiry) the pack could not answer: the desk can reply
    MESSAGE = "message"  # a message written after the prospect's lead: the desk can reply
    FORGOTTEN = "forgotten"  # a prospect had everything deleted: plain text, nothing links back to them
    TAKEN_OVER = "taken_over"  # the photographer wrote in a business chat: the bot stays quiet there


class LeadStatus(enum.StrEnum):
    """Where a lead stands in the photographer's pipeline."""

    NEW = "new"
    CONTACTED = "contacted"
    QUOTED = "quoted"
    BOOKED = "booked"
    LOST = "lost"


class QuestionStatus(enum.StrEnum):
    """Whether the photographer has answered a question the bot could not."""

    OPEN = "open"
    ANSWERED = "answered"


class QuestionKind(enum.StrEnum):
    """What the photographer is asked: a question the pack could not answer, or an inquiry for other photography."""

    QUESTION = "question"
    INQUIRY = "inquiry"


class Direction(enum.StrEnum):
    """Which way a logged message went."""

    IN = "in"
    OUT = "out"


class DeskMessageKind(enum.StrEnum):
    """What a message in an admin chat is, so a button or a reply on it knows what to do."""

    CARD = "card"
    NOTICE = "notice"
    REPLY_PROMPT = "reply_prompt"
    NOTE_PROMPT = "note_prompt"
    INSIGHT = "insight"  # no longer written: the suggested follow-up's own message before it joined the card
    DRAFT_PROMPT = "draft_prompt"  # asks for the edited draft; the reply is sent as the follow-up


class Priority(enum.StrEnum):
    """How soon a new lead deserves the photographer's attention."""

    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class InsightSource(enum.StrEnum):
    """Who wrote a lead's suggested follow-up."""

    LLM = "llm"
    TEMPLATE = "template"


class FunnelStep(enum.StrEnum):
    """A step of the booking funnel that leaves no row of its own elsewhere."""

    INTAKE_STARTED = "intake_started"


class OutboxKind(enum.StrEnum):
    """What a pending desk message is."""

    LEAD_CARD = "lead_card"  # a new lead's card, to every admin chat still without it
    REDACTION = "redaction"  # an admin chat's message about a forgotten prospect, edited to say so
    RELAY = "relay"  # the photographer's words to a prospect, sent at most once
    FOLLOW_UP = "follow_up"  # a lead's approved follow-up (the draft or the photographer's edit), sent at most once
