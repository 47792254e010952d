"""The baseline: the same intake written the way python-telegram-bot's own examples do it.

A `ConversationHandler` with `PicklePersistence` (see PTB's `conversationbot.py` and
`persistentconversationbot.py`): states for use, availability, name, contact, notes and confirm; inline buttons
through `CallbackQueryHandler`; regular expressions instead of a parsing engine; no database.
`python -m benchmarks.baseline --base-url URL --data-dir DIR` runs it (token from TELEGRAM_BOT_TOKEN).
"""

PICKLE_NAME = "baseline.pickle"  # where the baseline keeps its state, inside --data-dir
