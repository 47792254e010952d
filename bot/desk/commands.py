"""The desk's commands in admin chats: /leads, /lead, /find, /export, /stats, /learned, and /pause and /resume."""

from __future__ import annotations

from math import ceil

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot.desk.callbacks import OPEN_FILTER
from bot.desk.cards import Desk, fit, lead_line, learned_keyboard, list_keyboard, open_buttons, render_history
from bot.desk.notify import DeskSender, desk_of, desk_sender, service_of
from bot.desk.service import Actor, Claim, DeskService
from bot.desk.stats import funnel_report
from bot.engine.render import clip
from bot.engine.vocabulary import DeskMessageKind, LeadStatus
from bot.export import to_csv
from bot.telegram.context import BotContext
from db.base import utcnow
from db.desk import OPEN_STATUSES, find_leads, lead_events, open_questions_of_chat, page_of_leads
from db.leads import get_lead
from db.learned import list_learned_answers
from db.messages import recent_messages
from db.models import DeskMessage

PAGE_SIZE = 5
HISTORY_MESSAGES = 15


def sender(context: BotContext) -> DeskSender:
    """The desk's sender for this update."""
    return desk_sender(context.application, context.bot)


def service(context: BotContext) -> DeskService:
    """The desk's core, which every action goes through."""
    return service_of(context.application)


def actor_of(update: Update) -> Actor:
    """Who sent this update, by Telegram user id, named as the lead's history shows it."""
    user = update.effective_user
    if user is None:  # a channel post or an anonymous group admin: nobody the desk can tell apart
        return Actor(0, "?")
    return Actor(user.id, (user.full_name or (f"@{user.username}" if user.username else str(user.id)))[:128])


def claim_of(update: Update) -> Claim:
    """The update, to be recorded with the action it carries."""
    return Claim(update.update_id, update.effective_chat.id if update.effective_chat else None)


async def card_of(update: Update, context: BotContext, lead_id: int) -> DeskMessage | None:
    """The tapped message when the desk posted it as this lead's card (or as its follow-up's own message, from before
    it joined the card): the lead comes from what the desk stored, never from the button's data alone."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    about = await sender(context).tracked(update.effective_chat.id, message.message_id)
    if about is None or about.kind not in (DeskMessageKind.CARD, DeskMessageKind.INSIGHT) or about.lead_id != lead_id:
        return None
    return about


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
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
        text, markup = await leads_page(session, desk_of(context.application), key, 0)
    await say(update, context, text, markup)


async def leads_page(session: AsyncSession, desk: Desk, key: str, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """One page of a list of leads ("open" or one status), with its keyboard."""
    lists = desk.text.lists
    statuses = OPEN_STATUSES if key == OPEN_FILTER else (LeadStatus(key),)
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
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
        history = await history_text(session, desk_of(context.application), lead_id)
    if await sender(context).post_card(lead_id, (update.effective_chat.id,)) is None:
        desk = desk_of(context.application)
        await say(update, context, desk.line(desk.text.lists.lead_missing, lead_id=lead_id))
        return
    await say(update, context, history)


async def history_text(session: AsyncSession, desk: Desk, lead_id: int) -> str:
    """A lead's history, open questions and last messages."""
    lead = await get_lead(session, lead_id)
    if lead is None:
        return desk.line(desk.text.handoff.gone)
    events = await lead_events(session, lead_id)
    messages = await recent_messages(session, lead.chat_id, limit=HISTORY_MESSAGES)
    questions = await open_questions_of_chat(session, lead.chat_id)
    return render_history(lead, events, messages, questions, desk)


async def on_find(update: Update, context: BotContext) -> None:
    """/find TEXT: leads whose name, email, phone or username contains the text."""
    desk = desk_of(context.application)
    needle = " ".join(context.args or []).strip()[:100]
    if not needle:
        await say(update, context, desk.line(desk.text.lists.find_usage))
        return
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
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
    leads = await service(context).export_leads(actor_of(update), claim_of(update))
    document = to_csv(leads).encode("utf-8")
    filename = f"leads-{utcnow().astimezone(desk.zone):%Y-%m-%d}.csv"
    caption = desk.line(desk.text.export.caption, count=len(leads))
    await context.bot.send_document(update.effective_chat.id, document=document, filename=filename, caption=caption)


async def on_stats(update: Update, context: BotContext) -> None:
    """/stats: the funnel over the last 7 and 30 days."""
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
        text = await funnel_report(session, desk_of(context.application), utcnow())
    await say(update, context, text)


async def on_learned(update: Update, context: BotContext) -> None:
    """/learned: the answers saved for everyone, with an export in the pack's format."""
    desk = desk_of(context.application)
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
        rows = await list_learned_answers(session)
    if not rows:
        await say(update, context, desk.line(desk.text.learned.empty))
        return
    lines = [desk.line(desk.text.learned.header, count=len(rows))]
    lines += [desk.line(desk.text.learned.line, learned_id=row.id, title=row.title, answer=clip(row.answer, 200)) for row in rows]
    await say(update, context, fit(lines), learned_keyboard(desk))


async def on_pause(update: Update, context: BotContext) -> None:
    """/pause CHAT_ID: the bot stays silent in that Telegram Business chat until /resume."""
    await _pause(update, context, True)


async def on_resume(update: Update, context: BotContext) -> None:
    """/resume CHAT_ID: the bot answers in that Telegram Business chat again, even within a take-over's quiet hours."""
    await _pause(update, context, False)


async def _pause(update: Update, context: BotContext, paused: bool) -> None:
    desk, args = desk_of(context.application), context.args or []
    lines = desk.text.business
    if len(args) != 1 or not args[0].isdigit():
        await say(update, context, desk.line(lines.pause_usage))
        return
    chat_id = int(args[0])
    known = await service(context).pause_business_chat(actor_of(update), chat_id, paused, claim_of(update))
    line = (lines.paused if paused else lines.resumed) if known else lines.unknown
    await say(update, context, desk.line(line, chat_id=chat_id))
