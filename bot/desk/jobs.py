"""Scheduled work, rebuilt from the database at every start: reminders for unfinished intakes, the daily and weekly
digests, and the daily retention of abandoned intakes' contact details."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import ValidationError
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.business import is_business_key
from bot.desk.cards import Desk, fit
from bot.desk.notify import desk_of
from bot.desk.weekly import CAPTION_LIMIT, funnel_png, read_weekly, weekly_text
from bot.engine.render import clip
from bot.engine.state import ConversationState
from bot.engine.vocabulary import ButtonAction, Direction
from bot.services import Services
from bot.telegram.handlers import encode_button
from db.base import utcnow
from db.desk import waiting_leads
from db.funnel import claim_job_run, claim_reminder, stalled_intakes
from db.journal import is_blocked
from db.messages import log_messages
from db.privacy import clear_abandoned_contacts
from db.questions import list_questions

log = logging.getLogger(__name__)
REMINDER_JOB, DIGEST_JOB, WEEKLY_JOB, RETENTION_JOB = "desk-reminders", "desk-digest", "desk-weekly", "retention"
WEEKLY_DAYS = (1,)  # Mondays (python-telegram-bot counts days from Sunday = 0)
RETENTION_SECONDS = 24 * 3600.0
RETENTION_FIRST = 60.0  # a minute after each start, then daily: a bot restarted often still applies it
REMINDER_LATE = timedelta(days=7)  # a reminder this overdue is not sent any more (e.g. after a long downtime)
DIGEST_WAIT = timedelta(hours=24)  # a lead still new after this is listed in the digest
DIGEST_ITEMS = 15


def reminder_scan_seconds(hours: float) -> float:
    """How often to look for due reminders: a sixth of the wait, between half a second and ten minutes."""
    return min(600.0, max(0.5, hours * 3600 / 6))


async def send_reminders(bot: Bot, services: Services, desk: Desk, now: datetime) -> int:
    """One gentle reminder, with a button that resumes it, to every intake left unfinished long enough; how many."""
    hours = services.settings.reminder_hours
    if hours <= 0:
        return 0
    async with services.sessionmaker() as session:
        due_since = now - timedelta(hours=hours)
        due = await stalled_intakes(session, due_since, due_since - REMINDER_LATE)
    sent = 0
    for row in due:
        if is_business_key(row.chat_id):
            continue  # the photographer's own chat: no automatic nudge in their name
        async with services.sessionmaker.begin() as session:
            if await is_blocked(session, row.chat_id):
                continue  # the prospect blocked the bot: no reminder, ever
            if not await claim_reminder(session, row.chat_id, row.version, now):
                continue  # the prospect moved on, or another worker reminded them
        text = desk.line(desk.text.reminder, comma_name=_comma(_name(row.state)))
        button = InlineKeyboardButton(desk.text.reminder_button, callback_data=encode_button(row.version, ButtonAction.RESUME, ""))
        try:
            await bot.send_message(row.chat_id, text, reply_markup=InlineKeyboardMarkup([[button]]))
        except Forbidden:
            await services.conversations.set_blocked(row.chat_id, True)
            continue
        except TelegramError as exc:
            log.warning("reminder not delivered: %s", exc.__class__.__name__, extra={"chat_id": row.chat_id})
            continue
        async with services.sessionmaker.begin() as session:
            await log_messages(session, row.chat_id, Direction.OUT, [text])
        sent += 1
    return sent


def _name(state: dict[str, object]) -> str | None:
    try:
        return ConversationState.model_validate(state).facts.name
    except ValidationError:
        return None


def _comma(name: str | None) -> str | None:
    return f", {name}" if name else None


async def digest_text(services: Services, desk: Desk, now: datetime) -> str | None:
    """The daily digest: leads still new after a day and open questions; None when there is nothing to list."""
    async with services.sessionmaker() as session:
        leads = await waiting_leads(session, now - DIGEST_WAIT)
        questions = await list_questions(session)
    if not leads and not questions:
        return None
    text = desk.text.digest
    lines = [desk.line(text.header)]
    if leads:
        lines += ["", desk.line(text.leads, count=len(leads))]
        lines += _capped(desk, [
            desk.line(text.lead_line, lead_id=lead.id, name=lead.name or "?", use=desk.use_label(lead.intended_use),
                      date=desk.day(lead.created_at))
            for lead in leads
        ])  # fmt: skip
    if questions:
        lines += ["", desk.line(text.questions, count=len(questions))]
        lines += _capped(desk, [
            desk.line(text.question_line, question_id=q.id, text=clip(q.text, 120), who=desk.who(q.lead_id, q.chat_id))
            for q in questions
        ])  # fmt: skip
    return fit(lines)


def _capped(desk: Desk, lines: list[str]) -> list[str]:
    if len(lines) <= DIGEST_ITEMS:
        return lines
    return [*lines[:DIGEST_ITEMS], desk.line(desk.text.digest.more, count=len(lines) - DIGEST_ITEMS)]


async def send_digest(bot: Bot, services: Services, desk: Desk, now: datetime) -> int:
    """Send the day's digest to every admin chat, once whatever the number of workers; how many chats got it."""
    async with services.sessionmaker.begin() as session:
        if not await claim_job_run(session, f"digest:{now.astimezone(desk.zone).date().isoformat()}"):
            return 0
    text = await digest_text(services, desk, now)
    if text is None:
        return 0
    sent = 0
    for chat_id in services.settings.admin_chat_ids:
        try:
            await bot.send_message(chat_id, text)
            sent += 1
        except TelegramError as exc:
            log.error("digest not delivered: %s", exc.__class__.__name__, extra={"chat_id": chat_id})
    return sent


async def send_weekly(bot: Bot, services: Services, desk: Desk, now: datetime) -> int:
    """Send the week's funnel picture with its figures as text (text alone without matplotlib) to every admin chat,
    once per ISO week whatever the number of workers; how many chats got it."""
    year, week, _ = now.astimezone(desk.zone).isocalendar()
    async with services.sessionmaker.begin() as session:
        if not await claim_job_run(session, f"weekly:{year}-W{week:02d}"):
            return 0
    async with services.sessionmaker() as session:
        figures = await read_weekly(session, now)
    text = weekly_text(desk, figures)
    picture = await asyncio.to_thread(funnel_png, desk, figures)  # rendering takes a CPU moment: off the event loop
    sent = 0
    for chat_id in services.settings.admin_chat_ids:
        try:
            if picture is None:
                await bot.send_message(chat_id, text)
            elif len(text) <= CAPTION_LIMIT:
                await bot.send_photo(chat_id, picture, caption=text)
            else:
                await bot.send_photo(chat_id, picture)
                await bot.send_message(chat_id, text)
            sent += 1
        except TelegramError as exc:
            log.error("weekly digest not delivered: %s", exc.__class__.__name__, extra={"chat_id": chat_id})
    return sent


async def apply_retention(services: Services, now: datetime) -> int:
    """Clear the email and phone of intakes abandoned for ABANDONED_INTAKE_DAYS (0 keeps them); how many."""
    days = services.settings.abandoned_intake_days
    if days <= 0:
        return 0
    async with services.sessionmaker.begin() as session:
        return await clear_abandoned_contacts(session, now - timedelta(days=days))


async def on_retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The daily retention job."""
    services: Services = context.application.bot_data["services"]
    if count := await apply_retention(services, utcnow()):
        log.info("cleared the contact details of %d abandoned intakes", count)


async def on_reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job: remind, and pick up answers saved by another worker."""
    services: Services = context.application.bot_data["services"]
    await services.learned.reload(services.sessionmaker)
    count = await send_reminders(context.bot, services, desk_of(context.application), utcnow())
    if count:
        log.info("sent %d intake reminders", count)


async def on_digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The daily job."""
    services: Services = context.application.bot_data["services"]
    await send_digest(context.bot, services, desk_of(context.application), utcnow())


async def on_weekly_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The weekly job."""
    services: Services = context.application.bot_data["services"]
    await send_weekly(context.bot, services, desk_of(context.application), utcnow())


def schedule_desk_jobs(application: Application) -> None:  # type: ignore[type-arg]
    """Schedule the reminder scan, the daily and weekly digests and retention; nothing to restore, as all read the
    database."""
    services: Services = application.bot_data["services"]
    settings = services.settings
    if application.job_queue is None:
        log.warning("no job queue (install python-telegram-bot[job-queue]): no reminders or digest")
        return
    scan = reminder_scan_seconds(settings.reminder_hours or 24.0)
    # Runs even with reminders off: it also reloads the learned answers another worker may have saved.
    application.job_queue.run_repeating(on_reminder_job, interval=scan, first=scan, name=REMINDER_JOB)
    application.job_queue.run_repeating(on_retention_job, interval=RETENTION_SECONDS, first=RETENTION_FIRST, name=RETENTION_JOB)
    if settings.admin_chat_ids:
        application.job_queue.run_daily(on_digest_job, time=settings.digest_at, name=DIGEST_JOB)
        application.job_queue.run_daily(on_weekly_job, time=settings.digest_at, days=WEEKLY_DAYS, name=WEEKLY_JOB)


async def set_admin_menus(bot: Bot, chat_ids: Sequence[int], desk: Desk, general: Sequence[tuple[str, str]]) -> int:
    """Each admin chat's own command menu (the desk's commands first); a failure is logged, not fatal."""
    commands = [BotCommand(name, description) for name, description in (*desk.text.commands.items(), *general)]
    done = 0
    for chat_id in chat_ids:
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
            done += 1
        except TelegramError as exc:
            log.warning("could not set the admin command menu: %s", exc.__class__.__name__, extra={"chat_id": chat_id})
    return done
