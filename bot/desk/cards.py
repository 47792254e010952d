"""What the admin chats read: lead cards with their flags and buttons, lists, histories. Every user string is escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import TELEGRAM_LIMIT, ContentPack
from bot.desk.callbacks import OPEN_FILTER, Action, DeskTap, encode
from bot.desk.content import DeskContent
from bot.engine.render import clip, fact_lines, facts_of_lead, fill
from bot.engine.vocabulary import Direction, LeadStatus
from db.models import Lead, LeadEvent, LeadInsight, Message, Question

STATUS_BUTTONS = (LeadStatus.CONTACTED, LeadStatus.QUOTED, LeadStatus.BOOKED, LeadStatus.LOST)
CLIP = 300  # characters of a logged message or question shown in a history


@dataclass(frozen=True)
class Desk:
    """What rendering needs: the pack (studio facts, intake labels), the desk's wording and the studio's zone."""

    pack: ContentPack
    text: DeskContent
    zone: ZoneInfo

    def line(self, template: str, **values: str | int | None) -> str:
        """A desk template with studio facts and escaped values filled in."""
        return fill(template, self.pack, **{k: None if v is None else str(v) for k, v in values.items()}).strip()

    def when(self, moment: datetime) -> str:
        """A moment as the photographer reads it, in the studio's zone: "Nov 29 12:03"."""
        local = moment.astimezone(self.zone)
        return f"{local:%b} {local.day} {local:%H:%M}"

    def day(self, moment: datetime) -> str:
        """A date as the photographer reads it: "Nov 29"."""
        local = moment.astimezone(self.zone)
        return f"{local:%b} {local.day}"

    def who(self, lead_id: int | None, chat_id: int) -> str:
        """A prospect in words, as plain text (escaped where it is put into a line): "lead #12" or "chat 4242"."""
        handoff = self.text.handoff
        return handoff.lead.format(lead_id=lead_id) if lead_id is not None else handoff.chat.format(chat_id=chat_id)

    def use_label(self, use: str | None) -> str:
        """An intended use as the intake shows it."""
        vocab = self.pack.intake.uses.get(use or "")
        return vocab.label if vocab is not None else self.text.stats.no_use


def lead_flags(lead: Lead, desk: Desk, today: date) -> list[str]:
    """Lines worth a glance: a deadline within days, a big team, no email and no phone."""
    flags = desk.text.flags
    lines = []
    if soon_window(lead, today, flags.deadline_days) is not None or mentions(lead.notes, flags.deadline_words):
        lines.append(desk.line(flags.deadline, days=flags.deadline_days))
    if lead.people is not None and lead.people > flags.team_over:
        lines.append(desk.line(flags.team, people=lead.people))
    if not lead.email and not lead.phone:
        lines.append(desk.line(flags.no_contact))
    return lines


def soon_window(lead: Lead, today: date, days: int) -> dict[str, Any] | None:
    """The lead's first availability window dated from today to `days` ahead, if any."""
    for window in lead.availability or []:
        try:
            when = date.fromisoformat(window.get("date") or "")
        except ValueError:
            continue
        if today <= when <= today + timedelta(days=days):
            return window
    return None


def mentions(text: str | None, words: Iterable[str]) -> bool:
    """Whether the text contains one of the words (or phrases) as a whole word, ignoring case."""
    folded = (text or "").casefold()
    return any(re.search(rf"\b{re.escape(word.casefold())}\b", folded) for word in words)


def render_card(lead: Lead, last_change: LeadEvent | None, desk: Desk, now: datetime, insight: LeadInsight | None = None,
                quotes: Sequence[str] = ()) -> str:  # fmt: skip
    """The lead card: header with status, the intake's facts, flags, who last moved it, and its suggested follow-up;
    `quotes` are links, addresses and numbers in the prospect's own words, flagged as theirs (bot.desk.screening)."""
    status = desk.text.status(lead.status)
    card = desk.text.card
    header = desk.line(card.header_new if lead.status is LeadStatus.NEW else card.header, lead_id=lead.id, status=status)
    lines = [header, *fact_lines(facts_of_lead(lead), desk.pack, lead.telegram_username, lead.source)]
    flags = lead_flags(lead, desk, now.astimezone(desk.zone).date())
    if quotes:
        flags.append(desk.line(desk.text.insights.flagged, quotes=", ".join(f"“{q}”" for q in quotes)))
    if flags:
        lines += ["", *flags]
    if last_change is not None:
        lines += ["", desk.line(card.status_line, status=status, when=desk.when(last_change.created_at), actor=last_change.actor)]
    if insight is not None:
        lines += ["", *_insight_lines(insight, desk)]
    return fit(lines)


def lead_message(
    lead: Lead, last_change: LeadEvent | None, desk: Desk, now: datetime, insight: LeadInsight | None = None,
    quotes: Sequence[str] = (),
) -> tuple[str, InlineKeyboardMarkup]:
    """A lead's card and its buttons: the draft's only while it has not gone out, and only when the card shows it
    (a card too long for one message drops its follow-up first)."""
    text = render_card(lead, last_change, desk, now, insight, quotes)
    drafts = insight is not None and insight.sent_at is None and _insight_lines(insight, desk)[-1] in text
    return text, _card_keyboard(lead, desk, drafts=drafts)


def _card_keyboard(lead: Lead, desk: Desk, *, drafts: bool = False) -> InlineKeyboardMarkup:
    """Status buttons (the current one marked), then Note, Reply and History, then Send draft and Edit draft."""
    buttons = desk.text.buttons
    statuses = [
        _button(("• " if lead.status is s else "") + desk.text.status(s), DeskTap(Action.STATUS, lead.id, s.value)) for s in STATUS_BUTTONS
    ]
    tools = [_button(buttons.note, DeskTap(Action.NOTE, lead.id)), _button(buttons.reply, DeskTap(Action.REPLY)),
             _button(buttons.history, DeskTap(Action.HISTORY, lead.id))]  # fmt: skip
    rows = [statuses, tools]
    if drafts:
        rows.append([_button(buttons.send_draft, DeskTap(Action.SEND_DRAFT, lead.id)),
                     _button(buttons.edit_draft, DeskTap(Action.EDIT_DRAFT, lead.id))])  # fmt: skip
    return InlineKeyboardMarkup(rows)


def _insight_lines(insight: LeadInsight, desk: Desk) -> list[str]:
    """A lead's suggested follow-up: who sent it once it went out, then summary, priority and reason, and the draft."""
    text = desk.text.insights
    body = desk.line(text.message, source=text.sources[insight.source], summary=insight.summary,
                     priority=text.priorities[insight.priority], reason=insight.reason, draft=insight.draft)  # fmt: skip
    if insight.sent_at is None:
        return [body]
    sent = desk.line(text.sent_edited if insight.sent_edited else text.sent, actor=insight.sent_by, when=desk.when(insight.sent_at))
    return [sent, body]  # the outcome before the draft, so a clip takes the draft first


def notice_keyboard(desk: Desk) -> InlineKeyboardMarkup:
    """The Reply button under a forwarded message or an unanswered question."""
    return InlineKeyboardMarkup([[_button(desk.text.buttons.reply, DeskTap(Action.REPLY))]])


def learn_keyboard(question_id: int, desk: Desk) -> InlineKeyboardMarkup:
    """The one-tap "save as answer for everyone" under a relayed answer to a question."""
    return InlineKeyboardMarkup([[_button(desk.text.buttons.learn, DeskTap(Action.LEARN, question_id))]])


def learned_keyboard(desk: Desk) -> InlineKeyboardMarkup:
    """The export button under the list of learned answers."""
    return InlineKeyboardMarkup([[_button(desk.text.buttons.export_learned, DeskTap(Action.EXPORT_LEARNED))]])


def lead_line(lead: Lead, desk: Desk) -> str:
    """One lead in a list."""
    return desk.line(desk.text.lists.leads_line, lead_id=lead.id, status=desk.text.status(lead.status),
                     name=lead.name or "?", use=desk.use_label(lead.intended_use), date=desk.day(lead.created_at))  # fmt: skip


def open_buttons(leads: Sequence[Lead], desk: Desk) -> list[list[InlineKeyboardButton]]:
    """A button per listed lead that shows its card, two to a row."""
    buttons = [_button(clip(f"#{lead.id} {lead.name or ''}".strip(), 30), DeskTap(Action.OPEN, lead.id)) for lead in leads]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def list_keyboard(leads: Sequence[Lead], key: str, page: int, total: int, page_size: int, desk: Desk) -> InlineKeyboardMarkup:
    """A list's keyboard: open a lead, page through, filter by status ("open" or a status value)."""
    buttons = desk.text.buttons
    rows = open_buttons(leads, desk)
    nav = []
    if page > 0:
        nav.append(_button(buttons.newer, DeskTap(Action.PAGE, page - 1, key)))
    if (page + 1) * page_size < total:
        nav.append(_button(buttons.older, DeskTap(Action.PAGE, page + 1, key)))
    filters = [_button(buttons.all_open, DeskTap(Action.PAGE, 0, OPEN_FILTER))]
    filters += [_button(desk.text.status(s), DeskTap(Action.PAGE, 0, s.value)) for s in LeadStatus]
    return InlineKeyboardMarkup([*rows, *([nav] if nav else []), filters[:3], filters[3:]])


def render_history(
    lead: Lead, events: Sequence[LeadEvent], messages: Sequence[Message], questions: Sequence[Question], desk: Desk
) -> str:
    """A lead's status changes and notes, the open questions of its chat, and the conversation's last messages."""
    text = desk.text.history
    lines = [desk.line(text.header, lead_id=lead.id)]
    for event in events:
        if event.old_status is event.new_status:
            lines.append(desk.line(text.note, when=desk.when(event.created_at), actor=event.actor, note=event.note or ""))
        else:
            template = text.status_note if event.note else text.status
            old, new = desk.text.status(event.old_status), desk.text.status(event.new_status)
            lines.append(desk.line(template, when=desk.when(event.created_at), actor=event.actor, old=old, new=new, note=event.note))
    if not events:
        lines.append(desk.line(text.empty))
    if questions:
        lines += ["", desk.line(text.questions)]
        for q in questions:
            lines.append(desk.line(text.question, question_id=q.id, when=desk.when(q.created_at), text=clip(q.text, CLIP)))
    tail = [desk.line(text.messages)] if messages else []
    for message in messages:
        inbound = message.direction is Direction.IN  # as the prospect typed it; the bot's own lines are logged as HTML
        words = clip(message.text if inbound else as_plain(message.text), CLIP)
        tail.append(desk.line(text.message_in if inbound else text.message_out, when=desk.when(message.created_at), text=words))
    while tail and len("\n".join([*lines, "", *tail])) > TELEGRAM_LIMIT:
        del tail[1 if len(tail) > 1 else 0]  # the oldest message goes first
    return fit([*lines, "", *tail] if tail else lines)


def fit(lines: list[str]) -> str:
    """Lines joined, dropping whole lines from the end to stay within Telegram's limit."""
    while len("\n".join(lines)) > TELEGRAM_LIMIT and len(lines) > 1:
        lines = lines[:-1]
    return "\n".join(lines)[:TELEGRAM_LIMIT]


def _button(label: str, tap: DeskTap) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(tap))


def as_plain(text: str) -> str:
    """Telegram HTML as the plain text it shows (for toasts, and for logged bot lines quoted in a history)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
