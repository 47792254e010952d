"""The baseline intake as a PTB `ConversationHandler`, state kept by `PicklePersistence`."""

from __future__ import annotations

import html
import pickle
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

from benchmarks.baseline.parsing import BOOKING_HINT, answer, parse_contact, parse_facts

USE, AVAILABILITY, NAME, CONTACT, NOTES, CONFIRM = range(6)
QUESTIONS = (
    ("use", USE, "What will the headshots be for?"),
    ("availability", AVAILABILITY, "When would suit you? For example: next Tuesday afternoon."),
    ("name", NAME, "What name should I put on the request?"),
    ("contact", CONTACT, "How can the photographer reach you? Type your email or phone number."),
)
GREETING = (
    "Hi! I'm the booking assistant of the studio. I can answer questions about sessions, prices and what to wear, "
    "and I can take your booking request in a minute."
)
Context = ContextTypes.DEFAULT_TYPE


def _facts(context: Context) -> dict[str, str]:
    assert context.user_data is not None
    return context.user_data.setdefault("facts", {})  # type: ignore[no-any-return]


async def _ask_next(update: Update, context: Context) -> int:
    """Ask for the first missing fact, or for notes (with a Skip button) when all are known."""
    assert update.effective_chat is not None
    facts = _facts(context)
    for key, state, question in QUESTIONS:
        if key not in facts:
            await context.bot.send_message(update.effective_chat.id, question)
            return state
    skip = InlineKeyboardMarkup([[InlineKeyboardButton("Skip", callback_data="skip")]])
    await context.bot.send_message(update.effective_chat.id, "Got it. Anything else the photographer should know? Type it, or tap Skip.", reply_markup=skip)
    return NOTES


async def start(update: Update, context: Context) -> None:
    """/start: greet and offer to book."""
    assert update.message is not None
    book = InlineKeyboardMarkup([[InlineKeyboardButton("Book a session", callback_data="book")]])
    await update.message.reply_text(GREETING, reply_markup=book)


async def faq(update: Update, context: Context) -> None:
    """Any other text outside a booking: the keyword FAQ."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(answer(update.message.text))


async def book(update: Update, context: Context) -> int:
    """/book or the Book button: start asking."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    _facts(context).clear()
    return await _ask_next(update, context)


async def from_text(update: Update, context: Context) -> int:
    """A message that already holds booking facts ("I'm Dana, LinkedIn, next Thu morning, dana@example.com")."""
    assert update.message is not None and update.message.text is not None
    facts = _facts(context)
    facts.clear()
    facts.update(parse_facts(update.message.text))
    return await _ask_next(update, context)


def _store(key: str) -> Callable[[Update, Context], Awaitable[int]]:
    """The handler of the state that asks for `key`: keep the answer, ask the next question."""

    async def store(update: Update, context: Context) -> int:
        assert update.message is not None and update.message.text is not None
        value = parse_contact(update.message.text) if key == "contact" else update.message.text.strip()
        if value:
            _facts(context)[key] = value
        return await _ask_next(update, context)

    return store


async def notes(update: Update, context: Context) -> int:
    """Typed notes, or the Skip button: show the summary with Confirm and Edit."""
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    elif update.message is not None:
        _facts(context)["notes"] = update.message.text or ""
    lines = "\n".join(f"• {key}: {html.escape(value)}" for key, value in _facts(context).items() if value)
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Confirm", callback_data="confirm"), InlineKeyboardButton("Edit", callback_data="book")]])
    await context.bot.send_message(update.effective_chat.id, f"Here's your request:\n{lines}", reply_markup=buttons)
    return CONFIRM


async def confirm(update: Update, context: Context) -> int:
    """Confirm: keep the lead in bot_data, thank the prospect, send the card to the admins."""
    assert update.callback_query is not None and update.effective_chat is not None
    await update.callback_query.answer()
    lead = dict(_facts(context), chat_id=str(update.effective_chat.id))
    context.bot_data.setdefault("leads", []).append(lead)
    name = lead.get("name", "")
    await context.bot.send_message(update.effective_chat.id, f"Thank you, {html.escape(name)}! The photographer will get back to you personally.")
    card = "New lead\n" + "\n".join(f"{key}: {html.escape(value)}" for key, value in lead.items())
    for admin in context.bot_data.get("admin_chat_ids", ()):
        await context.bot.send_message(admin, card)
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    """/cancel: drop the request."""
    assert update.message is not None
    _facts(context).clear()
    await update.message.reply_text("No problem, I've dropped that request.")
    return ConversationHandler.END


def build(token: str, base_url: str, pickle_path: Path, admin_chat_ids: tuple[int, ...]) -> Application:  # type: ignore[type-arg]
    """The Application as in PTB's persistentconversationbot example, pointed at `base_url`."""

    async def remember_admins(application: Application) -> None:  # type: ignore[type-arg]
        application.bot_data["admin_chat_ids"] = admin_chat_ids  # after persistence has loaded bot_data

    persistence = PicklePersistence(filepath=pickle_path)
    application = Application.builder().token(token).base_url(base_url).persistence(persistence).post_init(remember_admins).build()
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that per_message=False does not track CallbackQueryHandlers per message; the examples accept it.
        warnings.simplefilter("ignore", PTBUserWarning)
        intake = ConversationHandler(
            entry_points=[CommandHandler("book", book), CallbackQueryHandler(book, pattern="^book$"), MessageHandler(text & filters.Regex(BOOKING_HINT), from_text)],
            states={
                **{state: [MessageHandler(text, _store(key))] for key, state, _ in QUESTIONS},
                NOTES: [CallbackQueryHandler(notes, pattern="^skip$"), MessageHandler(text, notes)],
                CONFIRM: [CallbackQueryHandler(confirm, pattern="^confirm$"), CallbackQueryHandler(book, pattern="^book$")],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name="intake",
            persistent=True,
        )
    application.add_handler(intake)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(text, faq))
    return application


def read_leads(pickle_path: Path) -> list[dict[str, Any]]:
    """The leads the baseline saved (its pickle is written when it stops)."""
    if not pickle_path.exists():
        return []
    with pickle_path.open("rb") as file:
        data = pickle.load(file)  # our own file, written by the baseline process of this run
    return list(data.get("bot_data", {}).get("leads", []))
