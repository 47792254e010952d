"""One simulated prospect: the script it follows and how it waits for the bot like a person would."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum

from benchmarks.lib.fake import BotMessage, TimedFakeTelegram

INTAKE_MESSAGE = "Hi, I'm Dana, need a LinkedIn photo, free next Thursday morning, dana@example.com"


class Action(Enum):
    """What a step does on the fake server."""

    TEXT = "text"  # type a message
    TAP = "tap"  # tap an inline button of the newest bot message that has it


@dataclass(frozen=True)
class Step:
    """One thing a prospect does, and the bot message that tells it the bot has answered."""

    action: Action
    value: str  # the text typed, or the label of the button tapped
    expect_text: str | None = None  # casefolded substring of the reply text
    expect_button: str | None = None  # a button label the reply carries
    completes_lead: bool = False  # the tap that confirms a booking: a lead is expected once it is answered

    def answered_by(self, message: BotMessage) -> bool:
        """Whether this bot message is the reply that completes the step."""
        if self.expect_button is not None:
            return self.expect_button in message.buttons
        return self.expect_text is not None and self.expect_text.casefold() in message.text.casefold()


# /start, two questions the pack answers, a multi-fact intake message, Skip for notes, then Confirm.
# Each expectation names the *last* message the bot sends for the step, so the next step never races it.
SCRIPT: tuple[Step, ...] = (
    Step(Action.TEXT, "/start", expect_text="booking assistant"),
    Step(Action.TEXT, "how much does a session cost?", expect_text="CAD"),
    Step(Action.TEXT, "what should I wear?", expect_text="wear"),
    Step(Action.TEXT, INTAKE_MESSAGE, expect_button="Skip"),
    Step(Action.TAP, "Skip", expect_button="Confirm"),
    Step(Action.TAP, "Confirm", expect_text="thank you", completes_lead=True),
)
# The common case: /start, then only questions (worded differently, so retrieval does real work), no booking.
# Every question is one the baseline's two-entry keyword FAQ also answers.
QUESTION_SCRIPT: tuple[Step, ...] = (
    Step(Action.TEXT, "/start", expect_text="booking assistant"),
    Step(Action.TEXT, "how much does a session cost?", expect_text="CAD"),
    Step(Action.TEXT, "what should I wear?", expect_text="wear"),
    Step(Action.TEXT, "what are your prices?", expect_text="CAD"),
    Step(Action.TEXT, "which clothes or outfit should I wear for a headshot?", expect_text="wear"),
    Step(Action.TEXT, "how much is the professional package?", expect_text="CAD"),
)
MIXES: dict[str, tuple[Step, ...]] = {"intake": SCRIPT, "questions": QUESTION_SCRIPT}


@dataclass(frozen=True)
class StepResult:
    """What one step measured; `latency` is None when the bot never answered within the timeout."""

    step: int
    latency: float | None  # update available on the fake -> first sendMessage to the chat (seconds)
    reaction: float = 0.0  # the bot's completing message -> the prospect noticed it (driver delay)


class ScriptError(Exception):
    """The bot's messages do not let the prospect go on (e.g. the button to tap is missing)."""


class Prospect:
    """A person in one private chat who sends the next message only after the bot answered the last one."""

    def __init__(self, fake: TimedFakeTelegram, chat_id: int, timeout: float, script: tuple[Step, ...] = SCRIPT) -> None:
        self.fake = fake
        self.chat_id = chat_id
        self.timeout = timeout
        self.script = script
        self.next_step = 0
        self.confirmed = False  # pushed the Confirm tap: a lead is expected

    @property
    def done(self) -> bool:
        """Whether every step of the script was taken."""
        return self.next_step >= len(self.script)

    def _inbox(self) -> list[BotMessage]:
        return self.fake.inbox.get(self.chat_id, [])

    def _push(self, step: Step) -> int:
        if step.action is Action.TEXT:
            return self.fake.push_text(self.chat_id, step.value)
        for message in reversed(self._inbox()):
            if step.value in message.buttons:
                return self.fake.push_callback(self.chat_id, message.buttons[step.value], message_id=message.message_id)
        raise ScriptError(f"chat {self.chat_id}: no {step.value!r} button to tap")

    async def act(self) -> StepResult:
        """Take the next step and wait for the bot's answer to it."""
        index, step = self.next_step, self.script[self.next_step]
        seen = len(self._inbox())
        available = self.fake.available_at[self._push(step)]
        self.next_step += 1
        self.confirmed = self.confirmed or step.completes_lead
        reply = await self._await_reply(step, seen)
        if reply is None:
            return StepResult(index, None)
        first = next((m for m in self._inbox()[seen:] if m.at >= available), reply)
        return StepResult(index, first.at - available, time.monotonic() - reply.at)

    async def _await_reply(self, step: Step, seen: int) -> BotMessage | None:
        deadline = time.monotonic() + self.timeout
        scanned = seen
        while True:
            inbox = self._inbox()
            for message in inbox[scanned:]:
                if step.answered_by(message):
                    return message
            scanned = len(inbox)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not await self.fake.wait_inbox(self.chat_id, scanned, remaining):
                return None
