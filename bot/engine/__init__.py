"""The conversation engine: (stored state, event) -> (new state, replies, effects). No Telegram in here."""

from bot.engine.events import (
    Button,
    ButtonPress,
    Command,
    ContactShared,
    Decision,
    Event,
    Incoming,
    Media,
    Reply,
    Sender,
    Text,
)
from bot.engine.state import ConversationState, IntakeFacts, Window
from bot.engine.vocabulary import Step

__all__ = [
    "Button",
    "ButtonPress",
    "Command",
    "ContactShared",
    "ConversationState",
    "Decision",
    "Event",
    "Incoming",
    "IntakeFacts",
    "Media",
    "Reply",
    "Sender",
    "Step",
    "Text",
    "Window",
]
