"""Property-based: any sequence of events leaves the engine standing and every lead valid."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import ContentPack, load_content
from bot.engine.events import ButtonPress, Command, ContactShared, Media, Text
from bot.engine.state import ConversationState, IntakeFacts
from bot.engine.vocabulary import Step
from tests.engine.helpers import Chat

CONTENT: ContentPack = load_content()
PHRASES = ["LinkedIn", "our team page", "12", "next Tuesday afternoon", "Dec 8", "weekday evenings", "I'm Dana",
           "dana@example.com", "604-555-0123", "skip", "yes", "edit", "confirm", "how much does it cost?", "cancel",
           "Nov 2", "blorp", "no notes", "Contact", "Use", "I'm flexible", "<b>x</b>", "😀", "\u200b"]  # fmt: skip
ACTIONS = ["menu", "use", "avail", "name", "skip", "leave", "confirm", "edit", "field", "resume", "forget", "bogus"]
VALUES = ["book", "ask", "linkedin", "team", "weekends", "flexible", "profile", "contact", "use", "yes", "no", "", "zzz"]

events = st.one_of(
    st.sampled_from(PHRASES).map(Text),
    st.text(max_size=60).map(Text),
    st.sampled_from(["start", "book", "cancel", "help", "privacy", "mydata", "forget", "nope"]).map(Command),
    st.builds(lambda a, v, fresh: ("press", a, v, fresh), st.sampled_from(ACTIONS), st.sampled_from(VALUES), st.booleans()),
    st.sampled_from(["+16045550123", "16045550123", "garbage"]).map(lambda p: ContactShared(p, True)),
    st.sampled_from(["sticker", "photo"]).map(Media),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, max_size=25))
def test_engine_never_raises_and_every_lead_validates(sequence: list[object]) -> None:
    chat = Chat(CONTENT)
    for i, item in enumerate(sequence):
        chat.now = chat.now + timedelta(minutes=i)
        if isinstance(item, tuple):
            _, action, value, fresh = item
            item = ButtonPress(action, value, chat.state.version if fresh else chat.state.version - 1)
        decision = chat.send(item)  # type: ignore[arg-type]
        assert all(len(r.text) <= 4096 for r in decision.replies)
        # What the service stores must read back as the same state (a step or a use outside the vocabulary would not).
        assert ConversationState.model_validate(chat.state.model_dump(mode="json")) == chat.state
        assert type(chat.state.step) is Step
    for confirmed in chat.leads:
        IntakeFacts.model_validate(confirmed.facts.model_dump())
        assert confirmed.facts.use is not None
