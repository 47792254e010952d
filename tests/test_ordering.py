"""Fetching in batches: the next getUpdates waits until few fetched updates are in hand, against the fake Bot API server."""

from __future__ import annotations

import asyncio

from bot.telegram.ordering import BatchedPollRequest, ChatOrderedProcessor
from tests.fakes.telegram_server import FakeTelegram


async def _poll(request: BatchedPollRequest, fake: FakeTelegram) -> int:
    status, _ = await request.do_request(f"{fake.base_url}{fake.token}/getUpdates", "POST")
    return status


async def test_poll_waits_until_no_more_than_low_water_updates_are_in_hand(fake_telegram: FakeTelegram) -> None:
    processor = ChatOrderedProcessor()
    request = BatchedPollRequest(processor, batch_wait=10.0, low_water=1)
    release = [asyncio.Event(), asyncio.Event()]
    handling = [asyncio.create_task(processor.process_update(object(), done.wait())) for done in release]
    await request.initialize()
    try:
        await asyncio.sleep(0)  # both updates are in hand
        poll = asyncio.create_task(_poll(request, fake_telegram))
        await asyncio.sleep(0.2)
        assert not fake_telegram.calls_to("getUpdates") and not poll.done()
        release[0].set()  # one left in hand: the poll goes out
        assert await asyncio.wait_for(poll, 5) == 200
        assert len(fake_telegram.calls_to("getUpdates")) == 1
    finally:
        release[1].set()
        await asyncio.gather(*handling)
        await request.shutdown()


async def test_poll_goes_out_after_batch_wait_when_an_update_takes_long(fake_telegram: FakeTelegram) -> None:
    processor = ChatOrderedProcessor()
    request = BatchedPollRequest(processor, batch_wait=0.05, low_water=0)
    never = asyncio.Event()
    handling = asyncio.create_task(processor.process_update(object(), never.wait()))
    await request.initialize()
    try:
        await asyncio.sleep(0)
        assert await asyncio.wait_for(_poll(request, fake_telegram), 5) == 200
    finally:
        never.set()
        await handling
        await request.shutdown()
