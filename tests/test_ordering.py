"""Fetching in batches: the next getUpdates waits for the updates in hand, against the fake Bot API server."""

from __future__ import annotations

import asyncio

from bot.ordering import BatchedPollRequest
from tests.fakes.telegram_server import FakeTelegram


async def _poll(request: BatchedPollRequest, fake: FakeTelegram) -> int:
    status, _ = await request.do_request(f"{fake.base_url}{fake.token}/getUpdates", "POST")
    return status


async def test_poll_waits_until_the_fetched_updates_are_processed(fake_telegram: FakeTelegram) -> None:
    request = BatchedPollRequest(batch_wait=10.0)
    request.fetched = asyncio.Queue()
    request.fetched.put_nowait("an update being processed")
    await request.initialize()
    try:
        poll = asyncio.create_task(_poll(request, fake_telegram))
        await asyncio.sleep(0.2)
        assert not fake_telegram.calls_to("getUpdates") and not poll.done()
        request.fetched.get_nowait()
        request.fetched.task_done()
        assert await asyncio.wait_for(poll, 5) == 200
        assert len(fake_telegram.calls_to("getUpdates")) == 1
    finally:
        await request.shutdown()


async def test_poll_goes_out_after_batch_wait_when_an_update_takes_long(fake_telegram: FakeTelegram) -> None:
    request = BatchedPollRequest(batch_wait=0.05)
    request.fetched = asyncio.Queue()
    request.fetched.put_nowait("an update that never finishes")
    await request.initialize()
    try:
        assert await asyncio.wait_for(_poll(request, fake_telegram), 5) == 200
    finally:
        await request.shutdown()
