"""The ceiling probe: a python-telegram-bot echo with no state, so its figures show what PTB plus the fake cost.

Every update gets one sendMessage whose text and buttons satisfy every step of the prospects' script.
Usage: `python -m benchmarks.lib.echo_runner --base-url URL` (token from TELEGRAM_BOT_TOKEN).
"""

from __future__ import annotations

import os

from benchmarks.lib.watchdog import runner_arguments

ECHO_TEXT = "echo from the booking assistant: CAD, what to wear, thank you"


def main(argv: list[str] | None = None) -> int:
    """Poll until SIGTERM, answering each update with one message."""
    args = runner_arguments(__doc__, argv)

    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, ContextTypes, TypeHandler

    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Skip", callback_data="s"), InlineKeyboardButton("Confirm", callback_data="c")]])

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, ECHO_TEXT, reply_markup=buttons)

    application = Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(args.base_url).build()
    application.add_handler(TypeHandler(Update, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
