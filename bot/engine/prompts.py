"""The engine's questions: which message, which buttons, for the step a conversation is at."""

from __future__ import annotations

from bot.content import ContentPack
from bot.engine.events import Button, Reply, Sender
from bot.engine.render import describe_windows, fact_lines, fill
from bot.engine.state import ConversationState
from bot.engine.vocabulary import ButtonAction, Step


def fill_msg(content: ContentPack, key: str, **values: str | None) -> str:
    """A line from messages.yaml with studio facts and escaped values filled in."""
    return fill(getattr(content.messages, key), content, **values).strip()


def question_for(step: Step, content: ContentPack) -> str:
    """The line of messages.yaml that asks for a step's fact, as written ("" for a step that asks for none)."""
    msgs = content.messages
    questions = {Step.USE: msgs.ask_use, Step.PEOPLE: msgs.ask_people, Step.AVAILABILITY: msgs.ask_availability,
                 Step.NAME: msgs.ask_name, Step.CONTACT: msgs.ask_contact, Step.NOTES: msgs.ask_notes}  # fmt: skip
    return questions.get(step, "")


def example_for(step: Step, content: ContentPack) -> str:
    """intake.yaml's example answer for a step's question, shown when the answer was not understood ("" for none)."""
    intake = content.intake
    examples = {Step.USE: intake.use_example, Step.PEOPLE: intake.people_example, Step.AVAILABILITY: intake.availability_example,
                Step.NAME: intake.name_example, Step.CONTACT: intake.contact_example}  # fmt: skip
    return examples.get(step, "")


def ask(state: ConversationState, sender: Sender, content: ContentPack, prefix: str | None = None) -> Reply:
    """The question for the conversation's current step, with its buttons."""
    msgs = content.messages
    step = state.step
    buttons: tuple[tuple[Button, ...], ...] = ()
    request_contact = None
    text = fill(question_for(step, content), content).strip()
    if step is Step.USE:
        uses = [Button(u.label, ButtonAction.USE, key) for key, u in content.intake.uses.items()]
        buttons = _rows(uses, 2)
    elif step is Step.AVAILABILITY:
        options = content.intake.availability_options.items()
        buttons = _rows([Button(label, ButtonAction.AVAIL, key) for key, label in options], 2)
        if state.choices:
            text = _conflict_question(state, content)
            picks = tuple(Button(describe_windows([w], content), ButtonAction.PICK, str(i)) for i, w in enumerate(state.choices))
            buttons = (picks, *buttons)
    elif step is Step.NAME:
        if sender.full_name:
            buttons = ((Button(sender.full_name, ButtonAction.NAME, "profile"),),)
    elif step is Step.CONTACT:
        request_contact = msgs.contact_button
    elif step is Step.NOTES:
        buttons = ((Button(msgs.skip_button, ButtonAction.SKIP),),)
    elif step is Step.CONFIRM:
        text = summary(state, sender, content)
        buttons = ((Button(msgs.confirm_button, ButtonAction.CONFIRM), Button(msgs.edit_button, ButtonAction.EDIT)),)
    elif step is Step.EDIT:
        text = fill_msg(content, "edit_prompt")
        buttons = _rows([Button(label, ButtonAction.FIELD, key) for key, label in content.intake.edit_fields.items()], 3)
    elif step is Step.IDLE:
        text = fill_msg(content, "help")
    if prefix:
        text = f"{prefix}\n\n{text}"
    return Reply(text, buttons, request_contact=request_contact)


def _conflict_question(state: ConversationState, content: ContentPack) -> str:
    """"Dec 10 is a Thursday, not a Friday. Which day did you mean?" for a weekday that contradicts its date."""
    if len(state.choices) < 2 or state.choices[0].date is None or state.choices[1].date is None:
        return fill(content.messages.ask_availability, content).strip()
    written, weekday = state.choices[0].date, state.choices[1].date
    return fill(content.messages.ask_date_conflict, content, date=f"{written:%b} {written.day}", actual=f"{written:%A}", given=f"{weekday:%A}")


def summary(state: ConversationState, sender: Sender, content: ContentPack) -> str:
    """The facts gathered so far, for the prospect to confirm."""
    lines = fact_lines(state.facts, content, sender.username)
    return "\n".join([content.messages.summary_header, *lines, "", fill_msg(content, "summary_footer")])


def _rows(buttons: list[Button], width: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + width]) for i in range(0, len(buttons), width))


def comma_name(name: str | None) -> str:
    """", Dana" for a greeting, or nothing without a name."""
    return f", {name}" if name else ""


def menu(content: ContentPack) -> tuple[tuple[Button, ...], ...]:
    """The greeting's two buttons: book a session, or ask a question."""
    labels = content.messages.greeting_buttons
    return ((Button(labels["book"], ButtonAction.MENU, "book"), Button(labels["ask"], ButtonAction.MENU, "ask")),)
