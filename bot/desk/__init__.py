"""The photographer's desk: lead cards, admin commands, hand-off to prospects, reminders and the daily and weekly digests.

service.py is its core (every desk action, actor checked, claim recorded in the action's own transaction) and
callbacks.py the one codec of its buttons' data. The modules below are its Telegram edge, the only ones here that
import telegram: they turn taps and commands into service calls and its answers into cards and Bot API calls
(tests/test_architecture.py holds the desk to this list)."""

TELEGRAM_EDGE = frozenset({
    "bot.desk.buttons",  # lead-card taps and the photographer's replies to them
    "bot.desk.cards",  # the cards' text and inline keyboards
    "bot.desk.cli",  # the desk from a terminal, which edits the cards in the admin chats too
    "bot.desk.commands",  # /leads, /lead, /find, /export, /stats... in the admin chats
    "bot.desk.drafts",  # Send draft and Edit draft on a card
    "bot.desk.handlers",  # the desk's handlers, registered on the Application
    "bot.desk.jobs",  # reminders, the daily and weekly digests, retention and the admin menus
    "bot.desk.notify",  # posting and editing cards and notices
    "bot.desk.outbox",  # what the desk owes the admin chats and prospects, retried
})  # fmt: skip
