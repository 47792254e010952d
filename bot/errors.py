"""The bot's exceptions.

    HeadshotBotError
     ├── ConfigError        a setting is missing or malformed (exit status 2)
     ├── ContentError       the prompts/ pack does not validate
     └── StaleConversation  another worker changed the conversation first (retried)
"""


class HeadshotBotError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(HeadshotBotError):
    """A setting is missing or malformed; the message names it."""


class ContentError(HeadshotBotError):
    """A file in the prompts/ pack is missing or invalid."""


class StaleConversation(HeadshotBotError):
    """The conversation row changed under us; the caller retries the event."""
