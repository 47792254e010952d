"""End to end through the real Application and the fake Bot API (which refuses texts over 4,096 characters, as
Telegram does): the longest messages a prospect can send still end in a summary with Confirm, and a lead card."""

from __future__ import annotations

from tests.conftest import ADMIN_CHAT_ID, RunningBot
from tests.test_telegram import buttons_of, leads_of, say, tap

CHAT = 5151
DATES = ", ".join(f"Dec {d} at {h}pm" for d in range(8, 32) for h in (1, 3, 5))


async def test_a_4096_character_list_of_dates_still_books(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    flood = ("LinkedIn please, " + DATES * 3)[:4096]
    await say(fake, CHAT, flood, "What name")
    await say(fake, CHAT, "Dana Lee", "How can")
    await say(fake, CHAT, "dana@example.com", "Anything else")
    summary = await say(fake, CHAT, "no notes", "Here's your request")
    assert len(summary.params["text"]) <= 4096 and "Confirm" in buttons_of(summary)
    await tap(fake, CHAT, "Confirm")
    card = await fake.wait_for_text(ADMIN_CHAT_ID, "New lead")
    assert "Tue Dec 8, afternoon from 13:00" in card.params["text"] and len(card.params["text"]) <= 4096
    [lead] = await leads_of(running_bot)
    assert len(lead.availability) == 14 and lead.name == "Dana Lee"


async def test_an_over_long_name_is_asked_again_and_the_booking_goes_on(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await say(fake, CHAT, "LinkedIn headshot, free next Tuesday morning", "What name")
    await say(fake, CHAT, "Bartholomew" * 20, "shorter")
    await say(fake, CHAT, "Dana Lee", "How can")
    await say(fake, CHAT, "dana@example.com", "Anything else")
    await say(fake, CHAT, "x" * 4096, "shorter")
    await say(fake, CHAT, "no notes", "Here's your request")
    await tap(fake, CHAT, "Confirm")
    await fake.wait_for_text(ADMIN_CHAT_ID, "New lead")
    [lead] = await leads_of(running_bot)
    assert lead.name == "Dana Lee" and lead.availability[0]["start"] is None
