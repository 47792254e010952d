"""The test suite's fake Bot API server, with the timestamps and per-chat inboxes a load test needs."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes.telegram_server import Call, FakeTelegram, _Request, _RequestHandler, _Server

JSON = dict[str, Any]
LISTEN_BACKLOG = 256
DESK_SUFFIX = "@desk"  # calls to the photographer's admin chat, told apart from the prospects'


class _LoadServer(_Server):
    """The fake's HTTP server with a deep listen backlog.

    socketserver's default backlog of 5 overflows as soon as a bot has more than a few calls in flight
    (PTB's `concurrent_updates`); the kernel then drops connection attempts, the client retries after 1 s or
    times out, and a fast bot looks slow or loses messages. Telegram itself does not do that.
    """

    request_queue_size = LISTEN_BACKLOG

    def __init__(self, fake: FakeTelegram) -> None:
        super().__init__(fake)
        self.RequestHandlerClass = _KeepAliveHandler


class _KeepAliveHandler(_RequestHandler):
    """Keeps each connection open for the next request (HTTP/1.1), as api.telegram.org does.

    The test suite's fake closes every connection after one request, so that stopping it leaves nothing open;
    under load that would make every Bot API call pay for a new TCP connection, which no bot pays in production.
    Nagle's algorithm is off: with keep-alive, the body written after the headers would otherwise wait for the
    client's delayed ACK (40 ms on Linux) on every call.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True


class WebhookTarget:
    """Telegram's side of a webhook: POSTs each update with the secret header, at most `connections` at a time.

    Telegram opens up to 40 connections to a webhook by default (setWebhook's max_connections) and delivers an
    update again when the answer is not 2xx; so does this, after a short pause.
    """

    def __init__(self, origin: str, path: str, secret: str, connections: int = 40) -> None:
        self.url, self.health_url = origin + path, origin + "/healthz"
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        self.client = httpx.AsyncClient(limits=httpx.Limits(max_connections=connections), timeout=30.0)
        self.failed = 0  # answers that were not 2xx (each delivered again)
        self.dropped = 0  # updates given up after every attempt failed (their prospects then time out)

    async def ready(self) -> bool:
        """Whether the bot's /healthz answers 200 (a worker is up and its database answers)."""
        try:
            response = await self.client.get(self.health_url)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def deliver(self, update: JSON) -> None:
        """POST one update until the bot takes it (a few attempts, as Telegram would)."""
        for _ in range(5):
            try:
                response = await self.client.post(self.url, json=update, headers=self.headers)
                if response.is_success:
                    return
            except httpx.HTTPError:
                pass
            self.failed += 1
            await asyncio.sleep(0.5)
        self.dropped += 1

    async def close(self) -> None:
        """Close the connections."""
        await self.client.aclose()


@dataclass(frozen=True)
class BotMessage:
    """One sendMessage the bot made, as the prospect sees it."""

    at: float  # time.monotonic() when the fake handled the request
    text: str
    message_id: int
    buttons: dict[str, str] = field(default_factory=dict)  # label -> callback_data


def _buttons(result: JSON) -> dict[str, str]:
    markup = result.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return {b["text"]: b.get("callback_data", "") for row in rows for b in row}


class TimedFakeTelegram(FakeTelegram):
    """FakeTelegram that timestamps pushed updates, keeps each chat's bot messages and wakes waiting prospects.

    Server threads append to the inboxes; the asyncio loop that drives the prospects is woken with
    `call_soon_threadsafe`, so a waiting prospect costs nothing until its chat gets a message.
    """

    def __init__(self, api_delay: float = 0.0) -> None:
        super().__init__()
        self.api_delay = api_delay  # seconds every call but getUpdates waits, as if api.telegram.org were far away
        self.webhook: WebhookTarget | None = None  # set: updates are POSTed to the bot instead of queued for getUpdates
        self._deliveries: set[asyncio.Task[None]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.available_at: dict[int, float] = {}  # update_id -> monotonic time it was queued
        self.first_get_updates_at: float | None = None
        self.inbox: dict[int, list[BotMessage]] = {}
        self._signals: dict[int, asyncio.Event] = {}

    def start(self) -> None:
        """Serve from a daemon thread, as FakeTelegram.start does, with the deep-backlog server."""
        if self._server is not None:
            raise RuntimeError("the fake server is already started")
        self._server, self._stopped = _LoadServer(self), False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-telegram", daemon=True)
        self._thread.start()

    async def stop_deliveries(self) -> None:
        """Cancel webhook deliveries still in flight (the bot has stopped)."""
        for task in list(self._deliveries):
            task.cancel()
        await asyncio.gather(*self._deliveries, return_exceptions=True)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wake waiters on this loop (call from inside it before pushing anything)."""
        self.loop = loop

    def push_update(self, update: JSON) -> int:
        """Queue an update, or POST it to the webhook, and remember when it became available (just before)."""
        at = time.monotonic()
        if self.webhook is None:
            update_id = super().push_update(update)
            self.available_at[update_id] = at
            return update_id
        with self._cond:
            self._seq += 1
            update = {**update, "update_id": self._seq}
            self._pushed[self._seq] = update
        self.available_at[self._seq] = at
        assert self.loop is not None, "attach() the driver's loop before pushing to a webhook"
        task = self.loop.create_task(self.webhook.deliver(update))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)
        return int(update["update_id"])

    def method_counts(self, desk_chat_id: int | None = None) -> Counter[str]:
        """How many calls each Bot API method received so far; those to `desk_chat_id` counted as `METHOD@desk`."""
        def key(call: Call) -> str:
            to_desk = desk_chat_id is not None and call.params.get("chat_id") == desk_chat_id
            return call.method + DESK_SUFFIX if to_desk else call.method

        return Counter(key(call) for call in self.calls)

    async def wait_inbox(self, chat_id: int, seen: int, timeout: float) -> bool:
        """Wait until the chat has more than `seen` messages; False on timeout."""
        signal = self._signals.setdefault(chat_id, asyncio.Event())
        deadline = time.monotonic() + timeout
        while len(self.inbox.get(chat_id, ())) <= seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            signal.clear()
            if len(self.inbox.get(chat_id, ())) > seen:
                break
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                return False
        return True

    # ---- server threads -------------------------------------------------------------------------
    def _dispatch(self, path: str, params: JSON, uploads: dict[str, Any]) -> tuple[int, bytes, float]:
        if self.api_delay and not path.lower().endswith("/getupdates"):
            time.sleep(self.api_delay)  # in this request's own thread, outside the lock: calls overlap as on a network
        return super()._dispatch(path, params, uploads)

    def _get_updates(self, req: _Request) -> list[JSON]:
        if self.first_get_updates_at is None:
            self.first_get_updates_at = time.monotonic()
        return super()._get_updates(req)

    def _send(self, req: _Request) -> JSON:
        at = time.monotonic()
        result = super()._send(req)
        if req.method == "sendMessage":
            chat_id = int(req.params["chat_id"])
            message = BotMessage(at, str(result.get("text", "")), int(result["message_id"]), _buttons(result))
            self.inbox.setdefault(chat_id, []).append(message)
            self._notify(chat_id)
        return result

    def _notify(self, chat_id: int) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake, chat_id)
        except RuntimeError:  # the loop closed between the check and the call: nobody is waiting any more
            pass

    def _wake(self, chat_id: int) -> None:
        if (signal := self._signals.get(chat_id)) is not None:
            signal.set()
