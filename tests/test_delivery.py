"""Flood limits kept where Telegram put them: the real Application polling the fake Bot API server.

Every assertion is on the order of the calls the fake server recorded, never on how long anything took.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.services import build_services
from bot.telegram.app import build_application
from tests.conftest import RunningBot, make_settings
from tests.fakes.telegram_server import Call, FakeTelegram

PAUSED, OTHERS = 4101, (4102, 4103, 4104)


def _delivered_to(fake: FakeTelegram, chat_id: int) -> list[int]:
    """Positions, among every call the fake recorded, of the messages it took for this chat."""
    return [i for i, c in enumerate(fake.calls) if c.method == "sendMessage" and c.status == 200 and c.params.get("chat_id") == chat_id]


def _was_429(chat_id: int) -> Callable[[Call], bool]:
    return lambda c: c.status == 429 and c.params.get("chat_id") == chat_id


async def test_a_429_for_one_chat_pauses_that_chat_only(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    fake.fail_next("sendMessage", status=429, retry_after=2, chat_id=PAUSED)
    fake.push_text(PAUSED, "/help")
    await fake.wait_for_call("sendMessage", _was_429(PAUSED))
    for chat_id in OTHERS:
        fake.push_text(chat_id, "/help")
    await fake.wait_for_text(PAUSED, "what I can do", timeout=10)
    for chat_id in OTHERS:
        await fake.wait_for_text(chat_id, "what I can do", timeout=10)
    paused_reply = _delivered_to(fake, PAUSED)
    assert len(paused_reply) == 1  # retried after the pause, and sent once
    assert all(_delivered_to(fake, c)[0] < paused_reply[0] for c in OTHERS)  # the others did not wait for it


async def test_a_paused_chat_with_many_queued_updates_leaves_room_for_the_others(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    fake.fail_next("sendMessage", status=429, retry_after=2, chat_id=PAUSED)
    fake.push_text(PAUSED, "/help")
    await fake.wait_for_call("sendMessage", _was_429(PAUSED))
    for i in range(70):  # more than the processor's 64 slots, all queued behind the paused one
        fake.push_text(PAUSED, f"hello {i}")
    fake.push_text(OTHERS[0], "/help")
    await fake.wait_for_text(OTHERS[0], "what I can do", timeout=10)
    await fake.wait_for_text(PAUSED, "what I can do", timeout=10)
    assert _delivered_to(fake, OTHERS[0])[0] < _delivered_to(fake, PAUSED)[0]


async def test_a_group_spends_its_own_budget_while_private_chats_are_answered(fake_telegram: FakeTelegram, sqlite_url: str) -> None:
    group, private = -100_4201, 4202
    services = build_services(make_settings(sqlite_url, fake_telegram))
    application = build_application(services, fake_telegram.token, fake_telegram.base_url)
    try:
        async with application:
            bot = application.bot
            sends = [asyncio.create_task(bot.send_message(group, f"notice {i}")) for i in range(21)]  # 20 a minute
            await fake_telegram.wait_for_messages(group, 20)
            await bot.send_message(private, "your answer")
            await asyncio.gather(*sends)
    finally:
        await services.close()
    group_sends = _delivered_to(fake_telegram, group)
    assert len(group_sends) == 21
    assert group_sends[19] < _delivered_to(fake_telegram, private)[0] < group_sends[20]
