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
from db.models import Conversation, Lead
from tests.conftest import make_settings
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


async def start_worker(fake: FakeTelegram, database_url: str) -> Worker:
    services = build_services(make_settings(database_url, fake))
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
