"""Commands and button taps: the controls a prospect uses besides typing answers."""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from bot.engine.availability import option_windows
from bot.engine.events import Button, ButtonPress, Command, ForgetMe, Reply, ShowMyData
from bot.engine.prompts import comma_name, fill_msg, menu
from bot.engine.state import ConversationState
from bot.engine.vocabulary import ButtonAction, Step, Use

if TYPE_CHECKING:
    from datetime import datetime

    from bot.content import ContentPack
    from bot.engine.events import Effect, Incoming

_SOURCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Controls:
    """What /commands and buttons do; mixed into the engine's turn (bot.engine.intake), whose helpers it calls."""

    state: ConversationState
    incoming: Incoming
    content: ContentPack
    replies: list[Reply]
    effects: list[Effect]
    notice: str | None

    if TYPE_CHECKING:  # the turn's helpers this mixin calls; bot.engine.intake._Turn defines them

        @property
        def now(self) -> datetime: ...
        @property
        def in_intake(self) -> bool: ...
        def say(self, key: str, buttons: tuple[tuple[Button, ...], ...] = (), **values: str | None) -> None: ...
        def ask_current(self, prefix: str | None = None) -> None: ...
        def advance(self, prefix: str | None = None) -> None: ...
        def start_intake(self) -> None: ...
        def reset(self) -> None: ...
        def skip(self) -> None: ...
        def confirm(self) -> None: ...

    def on_command(self, command: Command) -> None:
        handler = {
            "start": self.cmd_start,
            "book": self.cmd_book,
            "cancel": self.cmd_cancel,
            "help": lambda _: self.say("help"),
            "privacy": self.cmd_privacy,
            "mydata": lambda _: self.effects.append(ShowMyData()),
            "forget": self.cmd_forget,
        }.get(command.name.lower())
        if handler is None:
            self.say("unknown_command")
        else:
            handler(command)

    def cmd_start(self, command: Command) -> None:
        payload = command.args.strip()
        if payload and _SOURCE_RE.match(payload):
            self.state.source = payload
        self.say("greeting", menu(self.content), comma_name=comma_name(self.incoming.sender.first_name))
        if self.in_intake:
            self.ask_current(fill_msg(self.content, "resume_intake"))

    def cmd_book(self, _: Command) -> None:
        if self.in_intake:
            self.ask_current(fill_msg(self.content, "resume_intake"))
        else:
            self.start_intake()

    def cmd_cancel(self, _: Command) -> None:
        if self.in_intake:
            self.reset()
            self.replies.append(Reply(fill_msg(self.content, "cancelled"), remove_keyboard=True))
        else:
            self.say("nothing_to_cancel")

    def cmd_privacy(self, _: Command) -> None:
        entry = next((e for e in self.content.knowledge if e.id == "privacy"), None)
        text = escape(self.content.render_answer(entry)) if entry else fill_msg(self.content, "unknown_answer")
        self.replies.append(Reply(text))

    def cmd_forget(self, _: Command) -> None:
        msgs = self.content.messages
        buttons = ((Button(msgs.forget_yes_button, ButtonAction.FORGET, "yes"), Button(msgs.forget_no_button, ButtonAction.FORGET, "no")),)
        self.say("forget_confirm", buttons)

    def on_button(self, press: ButtonPress) -> None:
        action, value, facts = press.action, press.value, self.state.facts
        if action == ButtonAction.MENU:
            if value == "book":
                self.on_command(Command("book"))
            else:
                self.say("ask_prompt")
        elif action == ButtonAction.CONFIRM and self.state.step is Step.CONFIRM:
            self.confirm()
        elif action == ButtonAction.EDIT and self.state.step is Step.CONFIRM:
            self.state.step = Step.EDIT
            self.ask_current()
        elif action == ButtonAction.FIELD and self.state.step is Step.EDIT and value in self.content.intake.edit_fields:
            self.state.step = Step(value)
            self.state.facts.skipped = [s for s in facts.skipped if s is not self.state.step]
            self.ask_current()
        elif action == ButtonAction.SKIP and self.in_intake:
            self.skip()
        elif action == ButtonAction.LEAVE:
            self.on_command(Command("cancel"))
        elif action == ButtonAction.USE and value in self.content.intake.uses:
            facts.use, facts.use_text = Use(value), None
            self.advance()
        elif action == ButtonAction.AVAIL and value in self.content.intake.availability_options:
            facts.availability, facts.availability_flexible = option_windows(value, self.now.date())
            facts.availability_text = self.content.intake.availability_options[value]
            self.state.choices = []
            self.advance()
        elif action == ButtonAction.PICK and value.isdigit() and int(value) < len(self.state.choices):
            facts.availability, facts.availability_flexible = [self.state.choices[int(value)]], False
            self.state.choices = []
            self.advance()
        elif action == ButtonAction.NAME and self.incoming.sender.full_name:
            facts.name = self.incoming.sender.full_name
            self.advance()
        elif action == ButtonAction.RESUME and self.in_intake:
            self.ask_current()
        elif action == ButtonAction.FORGET and value == "yes":
            self.reset()
            self.effects.append(ForgetMe())
            self.replies.append(Reply(fill_msg(self.content, "forgotten"), remove_keyboard=True))
        elif action == ButtonAction.FORGET:
            self.say("forget_kept")
        else:
            self.notice = fill_msg(self.content, "stale_button")
