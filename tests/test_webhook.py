"""Webhook mode: the Starlette app under a real uvicorn server on 127.0.0.1, the fake Bot API behind it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from bot.services import Services, build_services
from bot.telegram.app import build_application
from bot.telegram.webhook import SECRET_HEADER, create_app
from db.desk import lead_cards
from db.models import Conversation, Lead
from tests.conftest import ADMIN_CHAT_ID, make_settings
from tests.desk.conftest import MULTI_FACT, OTHER_ADMIN, buttons_of, shown
from tests.fakes.telegram_server import FakeTelegram

SECRET = "s3cret-token-for-tests_0123456789"
_update_ids = itertools.count(10_000)


@dataclass
class Worker:
    """One webhook worker: its own services, Application and HTTP server."""

    url: str
    services: Services
    server: uvicorn.Server
    task: asyncio.Task[None]


async def start_worker(fake: FakeTelegram, database_url: str, **settings: object) -> Worker:
    services = build_services(make_settings(database_url, fake, **settings))
    application = build_application(services, fake.token, fake.base_url, webhook=True)
    app = create_app(application, services, SECRET, "/telegram")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return Worker(f"http://127.0.0.1:{port}", services, server, task)


async def stop_worker(worker: Worker) -> None:
    worker.server.should_exit = True
    await asyncio.wait_for(worker.task, timeout=10)


def text_update(chat_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    """An Update as Telegram posts it."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Dana", "username": f"dana{chat_id}"}
    message = {"message_id": next(_update_ids), "date": 1_780_000_000, "chat": {"id": chat_id, "type": "private", "first_name": "Dana"},
               "from": user, "text": text}  # fmt: skip
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id or next(_update_ids), "message": message}


@pytest.fixture
async def worker(fake_telegram: FakeTelegram, sqlite_url: str) -> AsyncIterator[Worker]:
    started = await start_worker(fake_telegram, sqlite_url)
    yield started
    await stop_worker(started)


async def test_request_without_the_secret_gets_403_and_changes_nothing(worker: Worker, fake_telegram: FakeTelegram) -> None:
    async with httpx.AsyncClient(base_url=worker.url) as client:
        missing = await client.post("/telegram", json=text_update(1, "/book"))
        wrong = await client.post("/telegram", json=text_update(1, "/book"), headers={SECRET_HEADER: "nope"})
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert fake_telegram.sent_messages() == []
    async with worker.services.sessionmaker() as session:
        assert await session.get(Conversation, 1) is None


async def test_update_with_the_secret_is_answered(worker: Worker, fake_telegram: FakeTelegram) -> None:
    async with httpx.AsyncClient(base_url=worker.url, headers={SECRET_HEADER: SECRET}) as client:
        response = await client.post("/telegram", json=text_update(2, "/book"))
    assert response.status_code == 200
    assert "What will the headshots be for" in fake_telegram.texts(2)[-1]


async def test_healthz_answers_when_the_database_does(worker: Worker) -> None:
    async with httpx.AsyncClient(base_url=worker.url) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}


async def test_two_workers_on_postgresql_keep_fifty_conversations_whole(fake_telegram: FakeTelegram, postgres_database: str) -> None:
    from tests.conftest import TABLES, _admin_sql

    await asyncio.to_thread(asyncio.run, _admin_sql(postgres_database, f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    workers = [await start_worker(fake_telegram, postgres_database) for _ in range(2)]
    script = ["/book", "I'm Dana, LinkedIn, free next Thu morning, dana@example.com", "skip", "confirm"]
    chats = range(7001, 7051)
    try:
        clients = [httpx.AsyncClient(base_url=w.url, headers={SECRET_HEADER: SECRET}, timeout=30) for w in workers]

        async def prospect(chat_id: int) -> None:
            for step, text in enumerate(script):
                client = clients[(chat_id + step) % 2]  # consecutive updates of one chat alternate workers
                response = await client.post("/telegram", json=text_update(chat_id, text))
                assert response.status_code == 200

        await asyncio.gather(*(prospect(c) for c in chats))
        for client in clients:
            await client.aclose()
        async with workers[0].services.sessionmaker() as session:
            per_chat = dict((await session.execute(select(Lead.chat_id, func.count()).group_by(Lead.chat_id))).all())
        assert per_chat == {c: 1 for c in chats}
    finally:
        for w in workers:
            await stop_worker(w)


async def test_redelivered_webhook_update_changes_nothing(worker: Worker, fake_telegram: FakeTelegram) -> None:
    update = text_update(3, "/book")
    async with httpx.AsyncClient(base_url=worker.url, headers={SECRET_HEADER: SECRET}) as client:
        first = await client.post("/telegram", json=update)
        again = await client.post("/telegram", json=update)
    assert (first.status_code, again.status_code) == (200, 200)
    assert sum("What will the headshots be for" in t for t in fake_telegram.texts(3)) == 1


async def test_non_ascii_secret_header_is_refused_not_a_server_error(worker: Worker) -> None:
    async with httpx.AsyncClient(base_url=worker.url) as client:
        response = await client.post("/telegram", json=text_update(3, "/book"), headers={SECRET_HEADER: "sécret".encode()})
    assert response.status_code == 403


@pytest.mark.parametrize("body", [b"[]", b'"hello"', b"42", b"{not json", b'{"update_id": "x", "message": 5}'])
async def test_body_that_is_not_an_update_gets_400(worker: Worker, fake_telegram: FakeTelegram, body: bytes) -> None:
    async with httpx.AsyncClient(base_url=worker.url, headers={SECRET_HEADER: SECRET}) as client:
        response = await client.post("/telegram", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and fake_telegram.sent_messages() == []


async def test_oversized_body_gets_413_without_being_read_whole(worker: Worker) -> None:
    from bot.telegram.webhook import MAX_BODY

    async with httpx.AsyncClient(base_url=worker.url, headers={SECRET_HEADER: SECRET}) as client:
        response = await client.post("/telegram", content=b"{" + b" " * (MAX_BODY + 10) + b"}")
    assert response.status_code == 413


async def _post(worker: Worker, update: dict[str, Any]) -> int:
    async with httpx.AsyncClient(base_url=worker.url, headers={SECRET_HEADER: SECRET}, timeout=30) as client:
        return (await client.post("/telegram", json=update)).status_code


async def _remembered_cards(worker: Worker, lead_id: int, count: int) -> None:
    """Wait until the desk has remembered `count` cards of the lead (posted by whichever worker)."""
    for _ in range(500):
        async with worker.services.sessionmaker() as session:
            if len(await lead_cards(session, lead_id)) >= count:
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"lead #{lead_id}'s cards were not remembered")


async def _two_workers(fake: FakeTelegram, postgres_database: str, **settings: object) -> list[Worker]:
    from tests.conftest import TABLES, _admin_sql

    await asyncio.to_thread(asyncio.run, _admin_sql(postgres_database, f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    return [await start_worker(fake, postgres_database, **settings) for _ in range(2)]


async def test_one_worker_takes_one_chats_concurrent_posts_one_at_a_time(worker: Worker, fake_telegram: FakeTelegram) -> None:
    chat = 7100  # Telegram may post a chat's next update before the last one was answered (a retry, max_connections)
    fake_telegram.hold_next("sendMessage", 1.5, chat_id=chat)
    first = asyncio.create_task(_post(worker, fake_telegram.pushed(fake_telegram.push_text(chat, "/book"))))
    await fake_telegram.wait_for_text(chat, "What will the headshots be for")
    second = asyncio.create_task(_post(worker, fake_telegram.pushed(fake_telegram.push_text(chat, "/help"))))
    assert await first == 200 and await second == 200
    _, help_ = fake_telegram.sent_messages(chat)
    assert help_.while_held == 0  # handled once the first update was done with, as polling does


async def test_two_workers_on_postgresql_take_one_chats_updates_one_at_a_time(fake_telegram: FakeTelegram, postgres_database: str) -> None:
    chat = 7101
    workers = await _two_workers(fake_telegram, postgres_database)
    try:
        fake_telegram.hold_next("sendMessage", 1.5, chat_id=chat)  # the first update's reply is slow to be answered
        first = asyncio.create_task(_post(workers[0], fake_telegram.pushed(fake_telegram.push_text(chat, "/book"))))
        await fake_telegram.wait_for_text(chat, "What will the headshots be for")
        second = asyncio.create_task(_post(workers[1], fake_telegram.pushed(fake_telegram.push_text(chat, "/help"))))
        assert await first == 200 and await second == 200
    finally:
        for w in workers:
            await stop_worker(w)
    _, help_ = fake_telegram.sent_messages(chat)
    assert "what I can do" in help_.params["text"]
    assert help_.while_held == 0  # the other worker waited until the first update was done with, its reply too


async def test_two_workers_on_postgresql_leave_every_card_showing_the_last_status(fake_telegram: FakeTelegram, postgres_database: str) -> None:
    admins, prospect = (ADMIN_CHAT_ID, OTHER_ADMIN), 7102
    workers = await _two_workers(fake_telegram, postgres_database, admin_chat_ids=admins)
    try:
        for step, text in enumerate(["/book", MULTI_FACT, "skip", "confirm"]):
            assert await _post(workers[step % 2], fake_telegram.pushed(fake_telegram.push_text(prospect, text))) == 200
        cards = [await fake_telegram.wait_for_text(chat, "New lead #1") for chat in admins]
        await _remembered_cards(workers[0], 1, len(admins))  # a tap on a card not remembered yet is another story

        def tapped(admin: int, label: str) -> dict[str, Any]:
            card = cards[admins.index(admin)]
            return fake_telegram.pushed(fake_telegram.push_callback(admin, buttons_of(card)[label], message_id=fake_telegram.message_id_of(card)))

        fake_telegram.hold_next("editMessageText", 1.5, chat_id=admins[0])  # the first refresh is slow to edit card one
        first = asyncio.create_task(_post(workers[0], tapped(admins[0], "Contacted")))
        await fake_telegram.wait_for_call("editMessageText", lambda c: "Contacted" in shown(c))
        second = asyncio.create_task(_post(workers[1], tapped(admins[1], "Booked")))
        assert await first == 200 and await second == 200
    finally:
        for w in workers:
            await stop_worker(w)
    last = {chat: shown([c for c in fake_telegram.calls_to("editMessageText") if c.params["chat_id"] == chat][-1]) for chat in admins}
    assert all(text.startswith("Lead #1 · Booked") for text in last.values()), last
    assert sum("New lead #1" in shown(c) for c in fake_telegram.sent_messages()) == 2  # one card per admin chat
