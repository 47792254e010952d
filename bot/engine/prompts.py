"""The engine's questions: which message, which buttons, for the step a conversation is at."""

from __future__ import annotations

from bot.content import ContentPack
from bot.engine.events import Button, Reply, Sender
from bot.engine.render import describe_windows, fact_lines, fill
from bot.engine.state import ConversationState, Step


def fill_msg(content: ContentPack, key: str, **values: str | None) -> str:
    """A line from messages.yaml with studio facts and escaped values filled in."""
    return fill(getattr(content.messages, key), content, **values).strip()


def ask(state: ConversationState, sender: Sender, content: ContentPack, prefix: str | None = None) -> Reply:
    """The question for the conversation's current step, with its buttons."""
    msgs = content.messages
    step = state.step
    buttons: tuple[tuple[Button, ...], ...] = ()
    request_contact = None
    if step is Step.USE:
        text = fill_msg(content, "ask_use")
        uses = [Button(u.label, "use", key) for key, u in content.intake.uses.items()]
        buttons = _rows(uses, 2)
    elif step is Step.PEOPLE:
        text = fill_msg(content, "ask_people")
    elif step is Step.AVAILABILITY:
        text = fill_msg(content, "ask_availability")
        buttons = _rows([Button(label, "avail", key) for key, label in content.intake.availability_options.items()], 2)
        if state.choices:
            text = _conflict_question(state, content)
            picks = tuple(Button(describe_windows([w], content), "pick", str(i)) for i, w in enumerate(state.choices))
            buttons = (picks, *buttons)
    elif step is Step.NAME:
        text = fill_msg(content, "ask_name")
        if sender.full_name:
            buttons = ((Button(sender.full_name, "name", "profile"),),)
    elif step is Step.CONTACT:
        text = fill_msg(content, "ask_contact")
        request_contact = msgs.contact_button
    elif step is Step.NOTES:
        text = fill_msg(content, "ask_notes")
        buttons = ((Button(msgs.skip_button, "skip"),),)
    elif step is Step.CONFIRM:
        text = summary(state, sender, content)
        buttons = ((Button(msgs.confirm_button, "confirm"), Button(msgs.edit_button, "edit")),)
    elif step is Step.EDIT:
        text = fill_msg(content, "edit_prompt")
        buttons = _rows([Button(label, "field", key) for key, label in content.intake.edit_fields.items()], 3)
    else:
        text = fill_msg(content, "help")
    if prefix:
        text = f"{prefix}\n\n{text}"
    return Reply(text, buttons, request_contact=request_contact)


def _conflict_question(state: ConversationState, content: ContentPack) -> str:
    """"Dec 10 is a Thursday, not a Friday. Which day did you mean?" for a weekday that contradicts its date."""
    if len(state.choices) < 2 or state.choices[0].date is None or state.choices[1].date is None:
        return fill_msg(content, "ask_availability")
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
    return ((Button(labels["book"], "menu", "book"), Button(labels["ask"], "menu", "ask")),)
