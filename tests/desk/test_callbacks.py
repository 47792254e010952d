"""The desk's callback data codec: every button it makes decodes back to its tap and fits Telegram's 64 bytes; data
it did not make, or from another version, decodes to nothing; buttons posted before the codec still work."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.content import ContentPack
from bot.desk.callbacks import LIMIT, OPEN_FILTER, Action, DeskTap, decode, encode
from bot.desk.cards import Desk, lead_message, learn_keyboard, learned_keyboard, list_keyboard, notice_keyboard
from bot.desk.content import load_desk_content
from bot.engine.vocabulary import LeadStatus
from db.models import Lead, LeadInsight

BIG = 10**18 - 1  # the largest id the codec takes: 18 digits
LONGEST = [
    DeskTap(Action.STATUS, BIG, LeadStatus.CONTACTED.value),
    DeskTap(Action.PAGE, BIG, LeadStatus.CONTACTED.value),
    *(DeskTap(a, BIG) for a in (Action.NOTE, Action.HISTORY, Action.OPEN, Action.LEARN, Action.SEND_DRAFT, Action.EDIT_DRAFT)),
    DeskTap(Action.REPLY),
    DeskTap(Action.EXPORT_LEARNED),
]


@pytest.mark.parametrize("tap", LONGEST, ids=lambda t: t.action.value)
def test_every_tap_round_trips_within_telegrams_64_bytes(tap: DeskTap) -> None:
    data = encode(tap)
    assert data.startswith("desk:1:") and len(data.encode()) <= LIMIT
    assert decode(data) == tap


def test_every_button_the_desk_posts_is_one_the_codec_made(content: ContentPack) -> None:
    desk = Desk(content, load_desk_content(), ZoneInfo("America/Vancouver"))
    lead = Lead(id=BIG, status=LeadStatus.NEW, chat_id=42, name="Dana Lee", intended_use="linkedin", availability=[])
    insight = LeadInsight(lead_id=BIG, summary="s", priority="normal", reason="r", draft="d", source="template", sent_at=None)
    _, card = lead_message(lead, None, desk, datetime.now(UTC), insight)
    keyboards = [card, notice_keyboard(desk), learn_keyboard(BIG, desk), learned_keyboard(desk),
                 list_keyboard([lead], LeadStatus.CONTACTED.value, 5, 100, 5, desk)]  # fmt: skip
    data = [b.callback_data for k in keyboards for row in k.inline_keyboard for b in row]
    assert len(data) > 15 and all(isinstance(d, str) and decode(d) is not None for d in data)


@pytest.mark.parametrize(("old", "tap"), [
    ("desk:st:12:booked", DeskTap(Action.STATUS, 12, "booked")),
    ("desk:pg:open:2", DeskTap(Action.PAGE, 2, OPEN_FILTER)),
    ("desk:send:7", DeskTap(Action.SEND_DRAFT, 7)),
    ("desk:reply", DeskTap(Action.REPLY)),
])  # fmt: skip
def test_buttons_posted_before_the_codec_still_decode(old: str, tap: DeskTap) -> None:
    assert decode(old) == tap


@pytest.mark.parametrize("forged", [
    None, "", "st:12:booked", "desk:", "desk:2:st:12:booked", "desk:1:st:12:hacked", "desk:1:st:x:booked",
    "desk:1:pg:open:-1", "desk:1:pg:everything:0", "desk:1:learn:1:2", "desk:1:reply:5", "desk:1:drop:1",
    "desk:1:open:" + "9" * 30,
])  # fmt: skip
def test_data_the_desk_did_not_make_decodes_to_nothing(forged: str | None) -> None:
    assert decode(forged) is None


def test_a_malformed_tap_is_refused_when_encoded() -> None:
    with pytest.raises(ValueError):
        encode(DeskTap(Action.STATUS, 1, "hacked"))
