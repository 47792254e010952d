"""Fetching in batches: a busy bot's next getUpdates waits for the updates in hand, against the fake Bot API server."""

from __future__ import annotations

import asyncio

from bot.ordering import BatchedPollRequest, ChatOrderedProcessor
from tests.fakes.telegram_server import FakeTelegram


async def _poll(request: BatchedPollRequest, fake: FakeTelegram) -> int:
    status, _ = await request.do_request(f"{fake.base_url}{fake.token}/getUpdates", "POST")
    return status


async def _in_progress(processor: ChatOrderedProcessor, queue: asyncio.Queue[object], count: int) -> asyncio.Event:
    """`count` updates fetched and being processed until the returned event is set."""
    release = asyncio.Event()

    async def handle() -> None:
        await release.wait()
        queue.get_nowait()
        queue.task_done()

    for n in range(count):
        queue.put_nowait(f"update {n}")
        asyncio.create_task(processor.process_update(None, handle()))  # noqa: RUF006 - they end when released
    await asyncio.sleep(0)
    return release


async def _request(batch_wait: float) -> tuple[BatchedPollRequest, ChatOrderedProcessor]:
    request, processor = BatchedPollRequest(batch_wait=batch_wait), ChatOrderedProcessor()
    request.fetched, request.processor = asyncio.Queue(), processor
    await request.initialize()
    return request, processor


async def test_busy_bot_polls_once_the_fetched_updates_are_processed(fake_telegram: FakeTelegram) -> None:
    request, processor = await _request(batch_wait=10.0)
    assert request.fetched is not None
    try:
        release = await _in_progress(processor, request.fetched, 2)
        poll = asyncio.create_task(_poll(request, fake_telegram))
        await asyncio.sleep(0.2)
        assert not fake_telegram.calls_to("getUpdates") and not poll.done()
        release.set()
        assert await asyncio.wait_for(poll, 5) == 200
        assert len(fake_telegram.calls_to("getUpdates")) == 1
    finally:
        await request.shutdown()


async def test_busy_bot_polls_after_batch_wait_when_an_update_takes_long(fake_telegram: FakeTelegram) -> None:
    request, processor = await _request(batch_wait=0.05)
    assert request.fetched is not None
    try:
        release = await _in_progress(processor, request.fetched, 2)
        assert await asyncio.wait_for(_poll(request, fake_telegram), 5) == 200
        release.set()
    finally:
        await request.shutdown()


async def test_quiet_bot_polls_at_once(fake_telegram: FakeTelegram) -> None:
    # One update in progress: the poll that confirms it goes out at once, as python-telegram-bot's own does.
    request, processor = await _request(batch_wait=10.0)
    assert request.fetched is not None
    try:
        release = await _in_progress(processor, request.fetched, 1)
        assert await asyncio.wait_for(_poll(request, fake_telegram), 5) == 200
        release.set()
    finally:
        await request.shutdown()
