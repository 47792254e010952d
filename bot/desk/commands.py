"""The desk's commands in admin chats: /leads, /lead, /find, /export, /stats and /learned."""

from __future__ import annotations

from math import ceil

from telegram import InlineKeyboardMarkup, Update, User

from bot.desk.cards import OPEN_FILTER, fit, lead_line, learned_keyboard, list_keyboard, open_buttons, render_history
from bot.desk.notify import DeskSender, desk_of, desk_sender
from bot.desk.stats import funnel_report
from bot.export import to_csv
from bot.handlers import BotContext
from db.base import utcnow
from db.desk import OPEN_STATUSES, find_leads, lead_events, open_questions_of_chat, page_of_leads
from db.leads import get_lead, list_leads
from db.learned import list_learned_answers
from db.messages import recent_messages
from db.models import LeadStatus

PAGE_SIZE = 5
HISTORY_MESSAGES = 15


def sender(context: BotContext) -> DeskSender:
    """The desk's sender for this update."""
    return desk_sender(context.application, context.bot)


def actor_of(user: User | None) -> str:
    """Who did something, as the lead's history shows it."""
    if user is None:
        return "?"
    return (user.full_name or (f"@{user.username}" if user.username else str(user.id)))[:128]


async def say(update: Update, context: BotContext, text: str, markup: object = None) -> None:
    """Send a message to the chat of the update."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)  # type: ignore[arg-type]


async def on_leads(update: Update, context: BotContext) -> None:
    """/leads [STATUS]: open leads (or those of one status), newest first, a page at a time."""
    key = (context.args or [OPEN_FILTER])[0].lower()
    if key != OPEN_FILTER and key not in {s.value for s in LeadStatus}:
        desk = desk_of(context.application)
        await say(update, context, desk.line(desk.text.lists.leads_usage))
        return
    text, markup = await leads_page(context, key, 0)
    await say(update, context, text, markup)


async def leads_page(context: BotContext, key: str, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """One page of a list of leads ("open" or one status), with its keyboard."""
    desk = desk_of(context.application)
    lists = desk.text.lists
    statuses = OPEN_STATUSES if key == OPEN_FILTER else (LeadStatus(key),)
    async with context.services.sessionmaker() as session:
        leads, total = await page_of_leads(session, statuses, page * PAGE_SIZE, PAGE_SIZE)
    label = desk.text.buttons.all_open if key == OPEN_FILTER else desk.text.status(LeadStatus(key))
    if not leads:
        text = desk.line(lists.leads_empty, filter=label)
    else:
        header = desk.line(lists.leads_header, filter=label, total=total, page=page + 1, pages=ceil(total / PAGE_SIZE))
        text = "\n".join([header, *(lead_line(lead, desk) for lead in leads)])
    return text, list_keyboard(leads, key, page, total, PAGE_SIZE, desk)


async def on_lead(update: Update, context: BotContext) -> None:
    """/lead ID: the lead's card, then its history and the conversation's last messages."""
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        desk = desk_of(context.application)
        await say(update, context, desk.line(desk.text.lists.lead_usage))
        return
    await show_lead(update, context, int(args[0].lstrip("#")))


async def show_lead(update: Update, context: BotContext, lead_id: int) -> None:
    """Send a lead's card (kept current like every card) and its history to this chat."""
    assert update.effective_chat is not None
    if await sender(context).post_card(lead_id, (update.effective_chat.id,)) is None:
        desk = desk_of(context.application)
        await say(update, context, desk.line(desk.text.lists.lead_missing, lead_id=lead_id))
        return
    await say(update, context, await history_text(context, lead_id))


async def history_text(context: BotContext, lead_id: int) -> str:
    """A lead's history, open questions and last messages."""
    async with context.services.sessionmaker() as session:
        lead = await get_lead(session, lead_id)
        if lead is None:
            desk = desk_of(context.application)
            return desk.line(desk.text.handoff.gone)
        events = await lead_events(session, lead_id)
        messages = await recent_messages(session, lead.chat_id, limit=HISTORY_MESSAGES)
        questions = await open_questions_of_chat(session, lead.chat_id)
    return render_history(lead, events, messages, questions, desk_of(context.application))


async def on_find(update: Update, context: BotContext) -> None:
    """/find TEXT: leads whose name, email, phone or username contains the text."""
    desk = desk_of(context.application)
    needle = " ".join(context.args or []).strip()[:100]
    if not needle:
        await say(update, context, desk.line(desk.text.lists.find_usage))
        return
    async with context.services.sessionmaker() as session:
        leads = await find_leads(session, needle)
    if not leads:
        await say(update, context, desk.line(desk.text.lists.find_empty, text=needle))
        return
    lines = [desk.line(desk.text.lists.find_header, text=needle, count=len(leads)), *(lead_line(lead, desk) for lead in leads)]
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(open_buttons(leads, desk)))


async def on_export(update: Update, context: BotContext) -> None:
    """/export: every lead as a CSV document."""
    assert update.effective_chat is not None
    desk = desk_of(context.application)
    async with context.services.sessionmaker() as session:
        leads = await list_leads(session)
    document = to_csv(leads).encode("utf-8")
    filename = f"leads-{utcnow().astimezone(desk.zone):%Y-%m-%d}.csv"
    caption = desk.line(desk.text.export.caption, count=len(leads))
    await context.bot.send_document(update.effective_chat.id, document=document, filename=filename, caption=caption)


async def on_stats(update: Update, context: BotContext) -> None:
    """/stats: the funnel over the last 7 and 30 days."""
    async with context.services.sessionmaker() as session:
        text = await funnel_report(session, desk_of(context.application), utcnow())
    await say(update, context, text)


async def on_learned(update: Update, context: BotContext) -> None:
    """/learned: the answers saved for everyone, with an export in the pack's format."""
    desk = desk_of(context.application)
    async with context.services.sessionmaker() as session:
        rows = await list_learned_answers(session)
    if not rows:
        await say(update, context, desk.line(desk.text.learned.empty))
        return
    lines = [desk.line(desk.text.learned.header, count=len(rows))]
    lines += [desk.line(desk.text.learned.line, learned_id=row.id, title=row.title, answer=_clip(row.answer)) for row in rows]
    await say(update, context, fit(lines), learned_keyboard(desk))


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
