"""Everything that knows python-telegram-bot, moving here from bot/ one piece at a time (issue 14): the typed context first."""
