"""Webhook mode: a Starlette app under uvicorn that feeds Telegram's POSTs to the same Application.

Each update is processed before the HTTP answer, so a failure answers 500 and Telegram delivers it again
(the update journal makes the second delivery change nothing). Several workers share one PostgreSQL database.
Updates go through the Application's update processor, as polled ones do: one chat's updates one at a time, in
this worker and (by an advisory lock per chat, bot.app) in the others.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.ext import Application

from bot.services import Services
from bot.telegram.handlers import update_failed
from db.session import ping

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes (a 4,096-character message and its entities); a megabyte is generous.
MAX_BODY = 1_000_000


def webhook_path(url: str) -> str:
    """The path of the webhook URL that this server answers on."""
    return urlsplit(url).path or "/"


async def _body(request: Request) -> bytes | None:
    """The request body, or None when it is larger than any Telegram update can be."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def create_app(application: Application, services: Services, secret: str, path: str) -> Starlette:  # type: ignore[type-arg]
    """The ASGI app: POST `path` for Telegram, GET /healthz for the load balancer."""

    async def telegram(request: Request) -> Response:
        # Bytes, not str: compare_digest raises on a non-ASCII str, and a stranger's header must not cost a 500.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, secret.encode()):
            return Response(status_code=403)
        body = await _body(request)
        if body is None:
            return Response(status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("an update is a JSON object")
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook body is not a Telegram update; answered 400")
            return Response(status_code=400)
        update_failed.set(False)
        await application.update_processor.process_update(update, application.process_update(update))
        return Response(status_code=500 if update_failed.get() else 200)

    async def healthz(_: Request) -> Response:
        healthy = await ping(services.engine)
        return JSONResponse({"ok": healthy}, status_code=200 if healthy else 503)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with application:
            if application.post_init:
                await application.post_init(application)
            await application.start()
            yield
            await application.stop()
        await services.close()

    routes = [Route(path, telegram, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])]
    return Starlette(routes=routes, lifespan=lifespan)


async def register_webhook(token: str, base_url: str, url: str, secret: str) -> None:
    """Tell Telegram where to post updates; pending updates are kept."""
    async with Bot(token, base_url=base_url) as bot:
        await bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


def app_factory() -> Starlette:
    """Entry point for each uvicorn worker process: settings from the environment, own services and Application."""
    from bot.logs import configure_logging
    from bot.services import build_services
    from bot.settings import load_settings
    from bot.telegram.app import build_application

    settings = load_settings()
    token = settings.require_token()
    url, secret = settings.require_webhook()
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    configure_logging(settings.log_level, (token, key), settings.log_format)
    services = build_services(settings)
    application = build_application(services, token, settings.telegram_api_base_url, webhook=True)
    return create_app(application, services, secret, webhook_path(url))
