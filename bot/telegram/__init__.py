"""The Telegram adapter: everything that knows python-telegram-bot. Outside this package only the desk's Telegram edge
(bot.desk.TELEGRAM_EDGE) imports telegram; tests/test_architecture.py holds both to that."""
