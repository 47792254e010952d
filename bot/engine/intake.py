"""The intake state machine: one pure function from (state, event) to a decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.content import TELEGRAM_LIMIT, ContentPack
from bot.engine import parsing
from bot.engine.answers import Answer
from bot.engine.controls import Controls
from bot.engine.events import (
    Button,
    ButtonPress,
    Command,
    ContactShared,
    Decision,
    Effect,
    ForwardToAdmins,
    Incoming,
    LeadConfirmed,
    Media,
    QuestionUnanswered,
    Reply,
    Text,
)
from bot.engine.prompts import ask, comma_name, example_for, fill_msg, menu
from bot.engine.state import INTAKE_ORDER, ConversationState, IntakeFacts
from bot.engine.vocabulary import AnswerKind, ButtonAction, Step, Use

MAX_TEXT = TELEGRAM_LIMIT  # Telegram's own limit: any message a prospect can send is read
MAX_NOTES = 2000


class Answerer(Protocol):
    """Decides how a prospect's question is answered: from the pack, redirected, or handed to the photographer."""

    def respond(self, question: str) -> Answer: ...


@dataclass(frozen=True)
class EngineContext:
    """What the engine needs besides the state: content, answers and the studio's clock."""

    content: ContentPack
    answerer: Answerer
    zone: ZoneInfo


def decide(state: ConversationState, incoming: Incoming, ctx: EngineContext) -> Decision:
    """Apply one event to a conversation."""
    event = incoming.event
    turn = _Turn(state.model_copy(deep=True), incoming, ctx)
    if isinstance(event, Command):
        turn.on_command(event)
    elif isinstance(event, ButtonPress):
        if event.version != state.version:
            return Decision(state, (), notice=fill_msg(ctx.content, "stale_button"), changed=False)
        turn.on_button(event)
    elif isinstance(event, ContactShared):
        turn.on_contact(event)
    elif isinstance(event, Media):
        return Decision(state, (Reply(fill_msg(ctx.content, "media_reply")),), changed=False)
    elif isinstance(event, Text):
        if len(event.text) > MAX_TEXT:
            return Decision(state, (Reply(fill_msg(ctx.content, "too_long")),), changed=False)
        turn.model_facts = event.model_facts
        text = parsing.clean_text(event.text)
        if not text:
            return Decision(state, (Reply(fill_msg(ctx.content, "media_reply")),), changed=False)
        turn.on_text(text)
    return Decision(turn.state, tuple(turn.replies), tuple(turn.effects), notice=turn.notice)


class _Turn(Controls):
    """The working memory of one decision: the state being changed and the replies gathered."""

    def __init__(self, state: ConversationState, incoming: Incoming, ctx: EngineContext) -> None:
        self.state = state
        self.incoming = incoming
        self.ctx = ctx
        self.content = ctx.content
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.notice: str | None = None
        self.model_facts: dict[str, Any] | None = None
        self.team_uses = frozenset(ctx.content.intake.team_uses)

    # -- helpers -------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self.incoming.at.astimezone(self.ctx.zone)

    @property
    def in_intake(self) -> bool:
        return self.state.step is not Step.IDLE

    def say(self, key: str, buttons: tuple[tuple[Button, ...], ...] = (), **values: str | None) -> None:
        self.replies.append(Reply(fill_msg(self.content, key, **values), buttons))

    def ask_current(self, prefix: str | None = None) -> None:
        self.replies.append(ask(self.state, self.incoming.sender, self.content, prefix))

    def advance(self, prefix: str | None = None) -> None:
        """Move to the first fact still missing, or to the summary; `prefix` opens the same message."""
        self.state.misses = 0
        was_contact = self.state.step is Step.CONTACT
        self.state.step = next((s for s in INTAKE_ORDER if not self.state.facts.has(s, self.team_uses)), Step.CONFIRM)
        if was_contact and self.state.step is not Step.CONTACT:
            # The share-contact keyboard stays on screen until a message removes it; a message carries one markup.
            self.replies.append(Reply(fill_msg(self.content, "got_it"), remove_keyboard=True))
        self.ask_current(prefix)

    def start_intake(self) -> None:
        # One message, not two: every Bot API call counts against Telegram's limits. A prospect who already wrote
        # their details is not told they could write everything in one message.
        facts = self.state.facts
        wrote = facts.use or facts.availability or facts.name or facts.email or facts.phone
        self.advance(fill_msg(self.content, "intake_intro_known" if wrote else "intake_intro"))

    def reset(self) -> None:
        self.state.step = Step.IDLE
        self.state.facts = IntakeFacts()
        self.state.misses = 0

    # -- events ----------------------------------------------------------------------------------
    def on_contact(self, contact: ContactShared) -> None:
        phone = parsing.normalise_phone(contact.phone)
        if phone is None:
            self.say("not_understood", example=None)
            return
        self.state.facts.phone = phone
        if self.in_intake and self.state.step in (Step.CONTACT, Step.CONFIRM):
            self.advance()
        elif self.in_intake:
            self.ask_current(fill_msg(self.content, "got_it"))

    def on_text(self, text: str) -> None:
        vocab = self.content.intake
        if not self.in_intake:
            self.on_idle_text(text)
        elif parsing.is_exactly(text, vocab.leave_words):
            self.on_command(Command("cancel"))
        elif (press := self.typed_button(text)) is not None:
            self.on_button(press)
        elif self.state.step is Step.CONFIRM and parsing.is_exactly(text, vocab.confirm_words):
            self.confirm()
        elif self.state.step is Step.CONFIRM and parsing.is_exactly(text, vocab.edit_words):
            self.on_button(ButtonPress("edit", "", self.state.version))
        elif self.state.step in INTAKE_ORDER and parsing.is_exactly(text, vocab.skip_words):
            self.skip()
        else:
            self.on_intake_text(text)

    def on_idle_text(self, text: str) -> None:
        vocab = self.content.intake
        found = parsing.extract(text, self.now, vocab)
        wants_booking = parsing.has_any(text, vocab.booking_words) or parsing.is_exactly(text, [vocab.uses[k].label for k in vocab.uses])
        if (press := self.typed_button(text)) is not None:
            self.on_button(press)
        elif ((found.use or found.availability.found or found.availability.conflict is not None or found.email or found.phone)
              and not parsing.looks_like_question(text)) or (
            wants_booking and not parsing.looks_like_question(text)
        ):
            self.merge(found, text)
            self.start_intake()
        elif parsing.is_exactly(text, vocab.greeting_words):
            self.say("greeting", menu(self.content), comma_name=comma_name(self.incoming.sender.first_name))
        elif self.state.last_lead_id is not None:
            # After a confirmed lead the photographer reads everything the prospect writes (abuse excepted).
            kind = self.answer_question(text, record=False)
            if kind is not AnswerKind.ABUSE:
                self.effects.append(ForwardToAdmins(text))
        else:
            self.answer_question(text)

    def on_intake_text(self, text: str) -> None:
        step = self.state.step
        found = parsing.extract(text, self.now, self.content.intake)
        if not found.anything and self.model_facts:
            found = parsing.from_model(self.model_facts, text, self.now, self.content.intake)
        self.read_step_answer(step, text, found)
        answered = self.gave(step, found)
        if found.too_long:
            self.say("too_long")
            self.ask_current()
        elif answered or found.anything:
            self.merge(found, text)
            if answered or step in (Step.CONFIRM, Step.EDIT):
                self.advance()
            else:
                self.ask_current(fill_msg(self.content, "got_it"))
        elif found.availability.past_date is not None:
            when = found.availability.past_date
            self.say("past_date", date=f"{when:%a %b} {when.day}")
        elif parsing.looks_like_question(text):
            self.answer_question(text)
            self.ask_current()
        else:
            self.miss()

    # -- intake pieces -------------------------------------------------------------------------
    def read_step_answer(self, step: Step, text: str, found: parsing.Extraction) -> None:
        """Read a bare answer that only makes sense for the question being asked."""
        if step is Step.PEOPLE and found.people is None:
            found.people = parsing.read_count(text)
        elif step is Step.NAME and found.name is None and not found.anything:
            found.name = parsing.read_name(text)
            found.too_long = found.name is None and len(text) > parsing.MAX_NAME
        elif step is Step.NOTES and not found.anything and not parsing.looks_like_question(text):
            found.too_long = len(text) > MAX_NOTES
            if not found.too_long:
                self.state.facts.notes = text
        elif step is Step.USE and found.use is None and not found.anything and not parsing.looks_like_question(text):
            found.too_long = len(text) > parsing.MAX_USE_TEXT
            if not found.too_long and len(text.split()) <= 6 and not parsing.has_any(text, self.content.intake.greeting_words):
                found.use, found.use_text = Use.OTHER, text

    def gave(self, step: Step, found: parsing.Extraction) -> bool:
        """Whether this message answered the step's own question."""
        return {
            Step.USE: found.use is not None,
            Step.PEOPLE: found.people is not None,
            Step.AVAILABILITY: found.availability.found,
            Step.NAME: found.name is not None,
            Step.CONTACT: bool(found.email or found.phone),
            Step.NOTES: self.state.facts.notes is not None,
        }.get(step, False)

    def merge(self, found: parsing.Extraction, text: str) -> None:
        """Keep every fact the message stated; a newer value replaces an older one."""
        facts = self.state.facts
        if found.availability.conflict is not None:
            # "Friday Dec 10" when Dec 10 is a Thursday: ask which, rather than pick one silently.
            facts.availability, facts.availability_flexible = [], False
            self.state.choices = list(found.availability.conflict.choices)
        elif found.availability.found:
            facts.availability = found.availability.windows
            facts.availability_flexible = found.availability.flexible
            facts.availability_text = text[:500]
            self.state.choices = []
        values = {"use": found.use, "use_text": found.use_text if found.use else None, "people": found.people,
                  "name": found.name, "email": found.email, "phone": found.phone}  # fmt: skip
        for attr, value in values.items():
            if (value is None and attr != "use_text") or (attr == "use_text" and found.use is None):
                continue
            try:
                setattr(facts, attr, value)
            except ValidationError:
                found.too_long = True  # the reader bounds every value; this keeps a slip from blocking a booking

    def typed_button(self, text: str) -> ButtonPress | None:
        """The button whose label the person typed instead of tapping."""
        current = ask(self.state, self.incoming.sender, self.content) if self.in_intake else Reply("", menu(self.content))
        for row in current.buttons:
            for button in row:
                if parsing.is_exactly(text, [button.label]):
                    return ButtonPress(button.action, button.value, self.state.version)
        return None

    def skip(self) -> None:
        step = self.state.step
        if step is Step.USE:
            self.state.facts.use = Use.OTHER
        elif step is Step.NAME and self.incoming.sender.full_name:
            self.state.facts.name = self.incoming.sender.full_name
        elif step in INTAKE_ORDER:
            self.state.facts.skipped = [*self.state.facts.skipped, step]
        self.advance()

    def miss(self) -> None:
        self.state.misses += 1
        example = example_for(self.state.step, self.content)
        if self.state.misses >= 2 and self.state.step in INTAKE_ORDER:
            msgs = self.content.messages
            buttons = ((Button(msgs.skip_button, ButtonAction.SKIP), Button(msgs.leave_button, ButtonAction.LEAVE)),)
            self.replies.append(Reply(_with_example(self.content, "not_understood_again", example), buttons))
        else:
            self.replies.append(Reply(_with_example(self.content, "not_understood", example)))
            self.ask_current()

    def confirm(self) -> None:
        self.effects.append(LeadConfirmed())
        name, use = self.state.facts.name, self.state.facts.use
        self.reset()
        saved = fill_msg(self.content, "lead_saved", comma_name=comma_name(name))
        brief = self.content.render_brief(use)
        text = f"{saved}\n\n{escape(brief)}" if brief else saved
        self.replies.append(Reply(text, remove_keyboard=True))

    def answer_question(self, text: str, *, record: bool = True) -> AnswerKind:
        """Answer from the pack; what the pack cannot answer goes to the photographer (when `record`)."""
        answer = self.ctx.answerer.respond(text)
        if answer.kind is AnswerKind.ABUSE:
            self.on_abuse(answer)
            return answer.kind
        self.state.abuse = 0
        if record and answer.for_photographer:
            self.effects.append(QuestionUnanswered(text, inquiry=answer.kind is AnswerKind.INQUIRY))
        if answer.kind is AnswerKind.HANDOFF:
            self.say("unknown_answer" if record else "forwarded")
        elif answer.text is not None:
            # Only a reply made wholly of entries may be phrased by a model: a hand-off line must stay as written.
            question = text if answer.kind is AnswerKind.ENTRY and not answer.unanswered else None
            self.replies.append(Reply(answer.text, question=question, entries=answer.entries))
        return answer.kind

    def on_abuse(self, answer: Answer) -> None:
        """One neutral line, one short reminder, then silence: abuse is never answered again and again."""
        self.state.abuse += 1
        if self.state.abuse == 1 and answer.text is not None:
            self.replies.append(Reply(answer.text))
        elif self.state.abuse == 2:
            self.say("abuse_again")


def _with_example(content: ContentPack, key: str, example: str) -> str:
    # Examples in intake.yaml are trusted HTML written by the studio, so they are inserted unescaped.
    return fill_msg(content, key, example="\x00").replace("\x00", example)
