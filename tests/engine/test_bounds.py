"""Nothing a prospect types can break a booking: every value is bounded, every summary fits one Telegram message."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import TELEGRAM_LIMIT, ContentPack, load_content
from bot.engine.events import Text
from bot.engine.prompts import summary
from bot.engine.state import IntakeFacts
from bot.engine.vocabulary import Step
from tests.engine.helpers import DANA, Chat

CONTENT: ContentPack = load_content()
FLOOD = {
    "dates": ", ".join(f"Dec {d} at {h}pm" for d in range(1, 32) for h in (1, 3, 5)),
    "name": "my name is " + "Bartholomew" * 40,
    "use": "for " + "linkedin " * 500,
    "signoff": "Thanks, " + "Dana " * 900,
    "people": "me and my 2 co-founders and 30 engineers " * 100,
    "word": "x" * 4096,
}
ANSWERS = ["LinkedIn", "next Tuesday", "Dana Lee", "dana@example.com", "no notes"]


def finish(chat: Chat) -> None:
    """Answer whatever is still asked, then confirm; fails if the booking cannot be completed."""
    for answer in ANSWERS:
        if chat.state.step is Step.CONFIRM:
            break
        if chat.state.step.value in ("use", "availability", "name", "contact", "notes", "people"):
            chat.send(answer if chat.state.step is not Step.PEOPLE else "3")
    for _ in range(3):
        if chat.state.step is Step.CONFIRM:
            break
        chat.send("skip")
    assert chat.state.step is Step.CONFIRM, chat.texts()
    assert len(summary(chat.state, DANA, CONTENT)) <= TELEGRAM_LIMIT
    chat.send("confirm")
    assert chat.leads, chat.texts()


def test_flooded_first_message_still_books() -> None:
    for text in FLOOD.values():
        chat = Chat(CONTENT)
        chat.send(Text((text * 2)[:4096]))
        assert all(len(r.text) <= TELEGRAM_LIMIT for r in chat.last.replies)
        if chat.state.step is Step.IDLE:
            chat.send("/book")
        finish(chat)
        IntakeFacts.model_validate(chat.leads[0].facts.model_dump())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(step=st.sampled_from(range(len(ANSWERS))), flood=st.sampled_from(sorted(FLOOD)), tail=st.text(max_size=200))
def test_any_long_answer_at_any_step_never_blocks_the_booking(step: int, flood: str, tail: str) -> None:
    chat = Chat(CONTENT)
    chat.send("/book")
    for answer in ANSWERS[:step]:
        chat.send(answer)
    decision = chat.send(Text(((FLOOD[flood] + tail) * 2)[:4096]))
    assert all(len(r.text) <= TELEGRAM_LIMIT for r in decision.replies)
    finish(chat)
