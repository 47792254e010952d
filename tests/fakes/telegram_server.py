"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that python-telegram-bot talks to."""

from __future__ import annotations

import asyncio
import copy
import html
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message as MimeHeaders
from email.parser import HeaderParser
from email.utils import collapse_rfc2231_value
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

JSON = dict[str, Any]
T = TypeVar("T")
Handler = Callable[["_Request"], Any]

# Free-text form fields: recorded verbatim, never coerced to int/bool/JSON.
_TEXT_FIELDS = frozenset(
    "text caption callback_query_id inline_query_id query title description short_description "
    "name first_name last_name phone_number url emoji parse_mode secret_token question "
    "explanation business_connection_id message_effect_id payload start_parameter vcard".split()
)
_TRUE_METHODS = (
    "answerCallbackQuery sendChatAction sendMessageDraft close logOut deleteMessages "
    "setMyDescription setMyShortDescription setMyName setChatMenuButton setMessageReaction "
    "pinChatMessage unpinChatMessage answerInlineQuery leaveChat banChatMember".split()
)
_EDIT_METHODS = ("editMessageText", "editMessageCaption", "editMessageReplyMarkup")
_DEFAULT_ERRORS = {
    400: "Bad Request: invalid request",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
}
_GROUP_MEMBER_ID = 5550001  # default sender in non-private chats


@dataclass(frozen=True)
class Call:
    """One request the bot made; params are decoded (ints, bools, nested JSON as dicts/lists)."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = 0.0  # time.monotonic() when the request arrived
    status: int = 200  # HTTP status the fake answered with
    result: Any = None  # the "result" the fake returned (None for errors)
    filenames: dict[str, str] = field(default_factory=dict)
    answered: float = 0.0  # time.monotonic() when the fake had its answer (a long poll's, once updates came)
    while_held: int = 0  # how many earlier calls' answers (hold_next) were still held back when this one arrived


@dataclass(frozen=True)
class _Upload:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class _Request:
    method: str  # canonical spelling, e.g. "sendMessage"
    params: JSON
    uploads: dict[str, _Upload]


@dataclass(frozen=True)
class _Failure:
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None = None  # only calls to this chat fail; None: any call


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.body: JSON = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            self.body["parameters"] = {"retry_after": retry_after}
        self.status = status


def _compact(data: JSON) -> JSON:
    return {key: value for key, value in data.items() if value is not None}


def _plain(text: str) -> str:
    """Strip HTML tags and unescape entities, roughly what a user sees for parse_mode=HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_value(key: str, raw: str) -> Any:
    """Turn one form field back into the value PTB JSON-encoded into it."""
    if key not in _TEXT_FIELDS and (raw[:1] in ("{", "[") or raw in ("true", "false", "null")):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if key not in _TEXT_FIELDS and re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return float(raw) if "." in raw else int(raw)
    return raw


def _decode_form(pairs: list[tuple[str, str]]) -> JSON:
    return {key: _decode_value(key, value) for key, value in pairs}


def _parse_multipart(body: bytes, boundary: str) -> tuple[JSON, dict[str, _Upload]]:
    """Split a multipart/form-data body into decoded fields and uploaded files."""
    fields: list[tuple[str, str]] = []
    files: dict[str, _Upload] = {}
    for part in (b"\r\n" + body).split(b"\r\n--" + boundary.encode())[1:]:
        if part.startswith(b"--"):  # the closing delimiter
            break
        head, _, content = part.partition(b"\r\n")[2].partition(b"\r\n\r\n")
        headers = HeaderParser().parsestr(head.decode("utf-8", "replace"))
        name = str(collapse_rfc2231_value(headers.get_param("name", "", "content-disposition")))
        if (filename := headers.get_filename()) is None:
            fields.append((name, content.decode("utf-8")))
        else:
            files[name] = _Upload(filename, content, headers.get_content_type())
    return _decode_form(fields), files


def _parse_body(content_type: str, body: bytes) -> tuple[JSON, dict[str, _Upload]]:
    """Parse a form-encoded, multipart or JSON request body."""
    headers = MimeHeaders()
    headers["content-type"] = content_type or "application/x-www-form-urlencoded"
    if headers.get_content_type() == "application/json":
        return (json.loads(body) if body else {}), {}
    if headers.get_content_type() == "multipart/form-data":
        return _parse_multipart(body, str(headers.get_param("boundary")))
    return _decode_form(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), {}


def _user(chat_id: int, user_id: int | None, first_name: str, last_name: str | None,
          username: str | None, language_code: str | None) -> JSON:
    """A human User dict; in private chats the user id defaults to the chat id."""
    uid = user_id if user_id is not None else (chat_id if chat_id > 0 else _GROUP_MEMBER_ID)
    return _compact({"id": uid, "is_bot": False, "first_name": first_name, "last_name": last_name,
                     "username": username, "language_code": language_code})


def _rendered(params: JSON, key: str) -> str:
    """The text as the user sees it (HTML markup stripped when parse_mode is HTML)."""
    text = str(params.get(key, ""))
    return _plain(text) if str(params.get("parse_mode", "")).upper() == "HTML" else text


def _inline_markup(params: JSON) -> JSON | None:
    """The inline keyboard Telegram echoes back (others are not), validating callback_data."""
    markup = params.get("reply_markup")
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for button in (button for row in markup["inline_keyboard"] for button in row):
        if "callback_data" in button and not 1 <= len(button["callback_data"].encode()) <= 64:
            raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return copy.deepcopy(markup)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never wait for a hanging long poll on shutdown
    request_queue_size = 256  # a bot that processes updates concurrently opens many connections at once

    def __init__(self, fake: FakeTelegram, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _RequestHandler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (e.g. a cancelled long poll)."""


class _RequestHandler(BaseHTTPRequestHandler):
    """Speaks HTTP/1.0 (one request per connection), so stop() leaves no idle keep-alives."""

    server: _Server

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def _answer(self, body: bytes) -> None:
        url = urlsplit(self.path)
        try:
            params, files = _parse_body(self.headers.get("Content-Type", ""), body)
            params = _decode_form(parse_qsl(url.query, keep_blank_values=True)) | params
            status, data, hold = self.server.fake._dispatch(url.path, params, files)
        except Exception as exc:  # a bug in the fake must fail the test, not hang it
            error = _ApiError(500, f"Fake server error: {exc!r}")
            status, data, hold = error.status, json.dumps(error.body).encode(), 0.0
        time.sleep(hold)  # the call is done and recorded; only its answer is slow to come back
        if hold:
            self.server.fake._release_hold()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FakeTelegram:
    """In-process fake of api.telegram.org that records calls and serves queued updates."""

    def __init__(
        self, token: str = "123456:TEST-TOKEN", bot_username: str = "headshot_test_bot"
    ) -> None:
        self.token = token
        self.bot_user: JSON = {"id": int(token.split(":")[0]), "is_bot": True,
                               "first_name": "Headshot Test Bot", "username": bot_username}
        self._cond = threading.Condition(threading.Lock())  # guards everything below
        self._calls: list[Call] = []
        self._updates: list[JSON] = []
        self._pushed: dict[int, JSON] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._holds: dict[str, list[tuple[float, int | None]]] = {}
        self._held = 0  # answers being held back now
        self._chats: dict[int, JSON] = {}
        self._last_message_id: dict[int, int] = {}
        self._bot_messages: dict[tuple[int, int], JSON] = {}
        self._commands: dict[str, list[JSON]] = {}
        self._webhook_url = ""
        self._business: dict[str, JSON] = {}  # connection id -> the BusinessConnection as last pushed
        self._seq = 10_000  # last update_id
        self._ids = itertools.count(1)  # file and callback query ids
        self._stopped = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        handlers: dict[str, Handler] = {name: lambda req: True for name in _TRUE_METHODS}
        handlers |= {name: self._edit for name in _EDIT_METHODS} | {
            "getMe": self._get_me, "getUpdates": self._get_updates, "sendMessage": self._send,
            "sendDocument": self._send, "sendPhoto": self._send, "deleteMessage": self._delete,
            "setMyCommands": self._commands_op, "getMyCommands": self._commands_op,
            "deleteMyCommands": self._commands_op, "setWebhook": self._webhook_op,
            "deleteWebhook": self._webhook_op, "getWebhookInfo": self._webhook_op,
        }
        self._handlers = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # ---- lifecycle --------------------------------------------------------------------------
    def start(self, port: int = 0) -> None:
        """Bind 127.0.0.1 on `port` (a free one by default) and serve from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeTelegram is already started")
        self._server, self._stopped = _Server(self, port), False
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-telegram", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Wake pending long polls and shut the server down."""
        if self._server is None:
            return
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeTelegram:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The value for ``ApplicationBuilder().base_url``; PTB appends the token."""
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # ---- recorded calls -----------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        """A snapshot of every request so far, in the order they were answered."""
        with self._cond:
            return list(self._calls)

    def clear_calls(self) -> None:
        """Forget the recorded calls (queued updates and chat state are kept)."""
        with self._cond:
            self._calls.clear()

    def calls_to(self, method: str) -> list[Call]:
        """All calls to one Bot API method, including those answered with an error."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[Call]:
        """Successful sendMessage calls, optionally only those to one chat."""
        return [c for c in self.calls_to("sendMessage")
                if c.status == 200 and chat_id in (None, c.params.get("chat_id"))]

    def texts(self, chat_id: int) -> list[str]:
        """The texts of successful sendMessage calls to one chat, in order."""
        return [str(call.params.get("text", "")) for call in self.sent_messages(chat_id)]

    def bot_message(self, chat_id: int, message_id: int) -> JSON | None:
        """The bot's message as the chat shows it now (after edits), None when it never sent it or deleted it."""
        with self._cond:
            return copy.deepcopy(self._bot_messages.get((chat_id, message_id)))

    def message_id_of(self, call: Call) -> int:
        """The message_id the fake returned for a send/edit call."""
        if not isinstance(call.result, dict) or "message_id" not in call.result:
            raise ValueError(f"{call.method} call has no message result: {call.result!r}")
        return int(call.result["message_id"])

    def fail_next(self, method: str, *, status: int, description: str | None = None,
                  retry_after: int | None = None, count: int = 1, chat_id: int | None = None) -> None:
        """Answer the next ``count`` calls to ``method`` (to ``chat_id``, if given) with an error instead of success."""
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after  # Telegram always sends it
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or _DEFAULT_ERRORS.get(status, HTTPStatus(status).phrase)
        with self._cond:
            queue = self._failures.setdefault(method.lower(), [])
            queue.extend([_Failure(status, description, retry_after, chat_id)] * count)

    def hold_next(self, method: str, seconds: float, *, chat_id: int | None = None, count: int = 1) -> None:
        """Answer the next ``count`` calls to ``method`` (to ``chat_id``, if given) ``seconds`` late, as a slow network
        would: each call is recorded (its message visible to the test) at once, while the bot still awaits its answer."""
        with self._cond:
            self._holds.setdefault(method.lower(), []).extend([(seconds, chat_id)] * count)

    # ---- update injection ---------------------------------------------------------------------
    def push_update(self, update: JSON) -> int:
        """Queue a raw Update dict for getUpdates; assigns update_id if missing."""
        update = copy.deepcopy(update)
        with self._cond:
            self._seq = max(self._seq + 1, int(update.get("update_id", 0)))
            update.setdefault("update_id", self._seq)
            self._updates.append(update)
            self._pushed[int(update["update_id"])] = update
            self._cond.notify_all()
        return int(update["update_id"])

    def pushed(self, update_id: int) -> JSON:
        """A pushed update as Telegram would post it to a webhook (and take it off the getUpdates queue)."""
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] != update_id]
            return copy.deepcopy(self._pushed[update_id])

    def redeliver(self, update_id: int) -> None:
        """Queue an already pushed update again, same id (as Telegram does after a crash before the offset moved)."""
        with self._cond:
            self._updates.append(copy.deepcopy(self._pushed[update_id]))
            self._cond.notify_all()

    def push_text(self, chat_id: int, text: str, *, user_id: int | None = None,
                  first_name: str = "Dana", last_name: str | None = "Lee",
                  username: str | None = "dana_lee", chat_type: str = "private",
                  language_code: str = "en", reply_to_message_id: int | None = None) -> int:
        """Queue a user's text message; a leading /command gets a bot_command entity.

        ``reply_to_message_id`` makes it a Telegram reply to the bot's message with that id in this chat."""
        user = _user(chat_id, user_id, first_name, last_name, username, language_code)
        content: JSON = {"text": text}
        if text.startswith("/"):
            length = _utf16_len(text.split(maxsplit=1)[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if reply_to_message_id is not None:
            with self._cond:
                content["reply_to_message"] = self._bot_message(chat_id, reply_to_message_id)
        return self._push_message("message", chat_id, chat_type, user, content)

    def push_callback(self, chat_id: int, data: str, *, message_id: int, user_id: int | None = None,
                      first_name: str = "Dana", chat_type: str = "private") -> int:
        """Queue a press of an inline button with ``data`` on the bot's message ``message_id``."""
        user = _user(chat_id, user_id, first_name, "Lee", "dana_lee", "en")
        with self._cond:
            self._remember_chat(chat_id, chat_type, user)
            message = self._bot_message(chat_id, message_id)
        query_id = str(4_000_000_000_000_000_000 + next(self._ids))
        query = {"id": query_id, "from": user, "message": message,
                 "chat_instance": str(-7_000_000_000 - abs(chat_id)), "data": data}
        return self.push_update({"callback_query": query})

    def push_contact(self, chat_id: int, phone_number: str, *, user_id: int | None = None,
                     first_name: str = "Dana", last_name: str | None = "Lee",
                     contact_user_id: int | Literal["sender"] | None = "sender") -> int:
        """Queue a shared contact; "sender" means the user's own (as via request_contact)."""
        user = _user(chat_id, user_id, first_name, last_name, "dana_lee", "en")
        owner = user["id"] if contact_user_id == "sender" else contact_user_id
        contact = _compact({"phone_number": phone_number, "first_name": first_name,
                            "last_name": last_name, "user_id": owner})
        return self._push_message("message", chat_id, "private", user, {"contact": contact})

    def push_media(self, chat_id: int, kind: str, *, caption: str | None = None,
                   user_id: int | None = None, first_name: str = "Dana",
                   chat_type: str = "private") -> int:
        """Queue a sticker, photo, voice, document, video or location message."""
        n = next(self._ids)
        ids = {"file_id": f"{kind[:2].upper()}ACAgIAAxk{n}", "file_unique_id": f"AQAD{n}"}
        payloads: dict[str, Any] = {
            "sticker": ids | {"type": "regular", "width": 512, "height": 512, "emoji": "👍",
                              "is_animated": False, "is_video": False},
            "photo": [ids | {"file_id": f"{ids['file_id']}_{w}", "width": w, "height": w}
                      for w in (90, 320, 1280)],
            "voice": ids | {"duration": 3, "mime_type": "audio/ogg", "file_size": 9000},
            "document": ids | {"file_name": "portfolio.pdf", "mime_type": "application/pdf"},
            "video": ids | {"width": 640, "height": 360, "duration": 5, "mime_type": "video/mp4"},
            "location": {"latitude": 52.52, "longitude": 13.405},
        }
        if kind not in payloads:
            raise ValueError(f"unknown media kind {kind!r}; expected one of {sorted(payloads)}")
        user = _user(chat_id, user_id, first_name, "Lee", "dana_lee", "en")
        content = _compact({kind: payloads[kind], "caption": caption})
        return self._push_message("message", chat_id, chat_type, user, content)

    def push_edited_text(self, chat_id: int, text: str, *, message_id: int,
                         user_id: int | None = None, first_name: str = "Dana") -> int:
        """Queue an edited_message update for the user's earlier message ``message_id``."""
        user = _user(chat_id, user_id, first_name, "Lee", "dana_lee", "en")
        with self._cond:
            chat = self._remember_chat(chat_id, "private", user)
        now = int(time.time())
        return self.push_update({"edited_message": {
            "message_id": message_id, "from": user, "chat": chat, "date": now - 60,
            "edit_date": now, "text": text}})

    def push_my_chat_member(self, chat_id: int, *, blocked: bool, user_id: int | None = None,
                            first_name: str = "Dana") -> int:
        """Queue the my_chat_member update Telegram sends when a user blocks/unblocks the bot."""
        user = _user(chat_id, user_id, first_name, "Lee", "dana_lee", "en")
        member = {"status": "member", "user": self.bot_user}
        kicked = {"status": "kicked", "user": self.bot_user, "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        with self._cond:
            chat = self._remember_chat(chat_id, "private", user)
        return self.push_update({"my_chat_member": {
            "chat": chat, "from": user, "date": int(time.time()),
            "old_chat_member": old, "new_chat_member": new}})

    def push_channel_post(self, chat_id: int, text: str) -> int:
        """Queue a channel_post: no "from", the channel itself is the sender_chat."""
        with self._cond:
            chat = {"id": chat_id, "type": "channel", "title": "Test Channel"}
            self._chats[chat_id] = chat
            message = self._new_message(chat_id, None, {"text": text, "sender_chat": chat})
        return self.push_update({"channel_post": message})

    def push_business_connection(self, connection_id: str, user_id: int, *, can_reply: bool = True,
                                 enabled: bool = True, first_name: str = "Sam") -> int:
        """Queue the business_connection update Telegram sends when the account owner ``user_id`` connects the bot
        (or changes its rights, or disconnects it: ``enabled=False``); sendMessage then honours it."""
        owner = {"id": user_id, "is_bot": False, "first_name": first_name, "is_premium": True}
        connection = {"id": connection_id, "user": owner, "user_chat_id": user_id, "date": int(time.time()),
                      "is_enabled": enabled, "rights": {"can_reply": True} if can_reply else {}}
        with self._cond:
            self._business[connection_id] = connection
        return self.push_update({"business_connection": copy.deepcopy(connection)})

    def push_business_message(self, connection_id: str, chat_id: int, text: str, *, from_owner: bool = False,
                              first_name: str = "Dana", last_name: str | None = "Lee",
                              username: str | None = "dana_lee") -> int:
        """Queue a business_message in the account's private chat with ``chat_id`` (the prospect's user id): written
        by the prospect, or with ``from_owner`` by the account owner themselves. A leading /command gets its entity."""
        with self._cond:
            owner = self._business[connection_id]["user"]
        prospect = _user(chat_id, None, first_name, last_name, username, "en")
        content: JSON = {"text": text, "business_connection_id": connection_id}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(text.split(maxsplit=1)[0])}]
        with self._cond:
            self._remember_chat(chat_id, "private", prospect)
            message = self._new_message(chat_id, copy.deepcopy(owner) if from_owner else prospect, content)
        return self.push_update({"business_message": message})

    def business_sends(self, connection_id: str | None = None) -> list[Call]:
        """sendMessage calls made with a business_connection_id (this one, if given), whatever the fake answered."""
        return [c for c in self.calls_to("sendMessage") if "business_connection_id" in c.params
                and connection_id in (None, c.params["business_connection_id"])]

    # ---- waiting helpers ------------------------------------------------------------------------
    async def wait_for_call(self, method: str, predicate: Callable[[Call], bool] | None = None,
                            *, timeout: float = 5.0) -> Call:
        """The first recorded call to ``method`` matching ``predicate``, waiting for it."""
        return await self._wait(f"a {method} call", lambda: next(
            (c for c in self.calls_to(method) if predicate is None or predicate(c)), None), timeout)

    async def wait_for_text(self, chat_id: int, contains: str, *, timeout: float = 5.0, edits: bool = False,
                            where: Callable[[Call], bool] | None = None) -> Call:
        """The first sendMessage to ``chat_id`` (or, with ``edits``, editMessageText in it, whichever comes first)
        whose tag-stripped text contains ``contains`` (and that matches ``where``, if given)."""
        needle = contains.casefold()

        def found() -> Call | None:
            calls = self.sent_messages(chat_id)
            if edits:
                calls = sorted(calls + [c for c in self.calls_to("editMessageText")
                                        if c.status == 200 and c.params.get("chat_id") == chat_id], key=lambda c: c.at)
            return next((c for c in calls if needle in _plain(str(c.params.get("text", ""))).casefold()
                         and (where is None or where(c))), None)

        return await self._wait(f"a message to {chat_id} containing {contains!r}", found, timeout)

    async def wait_for_messages(
        self, chat_id: int, count: int, *, timeout: float = 5.0
    ) -> list[Call]:
        """Wait until at least ``count`` messages were sent to ``chat_id``; return them all."""
        def enough() -> list[Call] | None:
            sent = self.sent_messages(chat_id)
            return sent if len(sent) >= count else None

        return await self._wait(f"{count} messages to {chat_id}", enough, timeout)

    async def _wait(self, what: str, probe: Callable[[], T | None], timeout: float) -> T:
        deadline = time.monotonic() + timeout
        while (found := probe()) is None:
            if time.monotonic() >= deadline:
                calls = [c for c in self.calls if c.method != "getUpdates"][-20:]
                dump = "\n".join(f"  {c.method} -> {c.status} {json.dumps(c.params)[:300]}"
                                 for c in calls) or "  (none)"
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                     f"recent calls (getUpdates hidden):\n{dump}")
            await asyncio.sleep(0.01)
        return found

    # ---- request handling (server threads) ------------------------------------------------------
    def _dispatch(self, path: str, params: JSON, uploads: dict[str, _Upload]) -> tuple[int, bytes, float]:
        """The call's status and body, and how long to hold the answer back."""
        arrived, (prefix, _, method) = time.monotonic(), path.rpartition("/")
        with self._cond:
            hold, held = self._hold(method.lower(), params), self._held
            self._held += 1 if hold else 0
            try:
                method, handler = self._route(prefix, method, params)
                status, result = 200, handler(_Request(method, params, uploads))
                body: JSON = {"ok": True, "result": result}
            except _ApiError as err:
                status, result, body = err.status, None, err.body
            self._calls.append(Call(method, params, {k: u.content for k, u in uploads.items()},
                                    arrived, status, copy.deepcopy(result),
                                    {k: u.filename for k, u in uploads.items()}, time.monotonic(), held))
            return status, json.dumps(body, ensure_ascii=False).encode(), hold

    def _release_hold(self) -> None:
        with self._cond:  # before the answer is written: whatever the bot does after it counts as after the hold
            self._held -= 1

    def _hold(self, method: str, params: JSON) -> float:
        holds = self._holds.get(method, [])
        for i, (seconds, chat_id) in enumerate(holds):
            if chat_id is None or str(params.get("chat_id")) == str(chat_id):
                del holds[i]
                return seconds
        return 0.0

    def _route(self, prefix: str, method: str, params: JSON) -> tuple[str, Handler]:
        if not prefix.startswith("/bot"):
            raise _ApiError(404, "Not Found")
        if prefix != f"/bot{self.token}":
            raise _ApiError(401, "Unauthorized")
        name, handler = self._handlers.get(method.lower(), (method, None))
        if handler is None:
            raise _ApiError(404, "Not Found")
        failures = self._failures.get(name.lower(), [])
        for i, failure in enumerate(failures):
            if failure.chat_id is None or str(params.get("chat_id")) == str(failure.chat_id):
                del failures[i]
                raise _ApiError(failure.status, failure.description, failure.retry_after)
        return name, handler

    def _get_me(self, req: _Request) -> JSON:
        return self.bot_user | {"can_join_groups": True, "can_read_all_group_messages": False,
                                "supports_inline_queries": False}

    def _get_updates(self, req: _Request) -> list[JSON]:
        """Confirm by offset, then long-poll up to ``timeout`` seconds for something to return."""
        if self._webhook_url:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                 "use deleteWebhook to delete the webhook first")
        offset = int(req.params.get("offset", 0))
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:  # Telegram: keep only the last -offset updates
            self._updates = self._updates[offset:]
        deadline = time.monotonic() + float(req.params.get("timeout", 0))
        while not self._updates and not self._stopped and time.monotonic() < deadline:
            self._cond.wait(max(0.0, deadline - time.monotonic()))
        return self._updates[: min(max(int(req.params.get("limit", 100)), 1), 100)]

    def _send(self, req: _Request) -> JSON:
        """sendMessage / sendDocument / sendPhoto: store and return the bot's Message."""
        params, kind = req.params, req.method.removeprefix("send").lower()
        markup = _inline_markup(params)
        if not isinstance(chat_id := params.get("chat_id"), int):
            raise _ApiError(400, "Bad Request: chat not found")
        if kind == "message":
            content: JSON = {"text": _rendered(params, "text")}
            if not content["text"].strip():
                raise _ApiError(400, "Bad Request: message text is empty")
            if _utf16_len(content["text"]) > 4096:
                raise _ApiError(400, "Bad Request: message is too long")
        else:
            caption = _rendered(params, "caption") or None
            content = _compact({kind: self._sent_file(kind, req), "caption": caption})
        content |= _compact({"reply_markup": markup})
        sender = self.bot_user
        if (connection_id := params.get("business_connection_id")) is not None:
            sender = self._business_sender(str(connection_id))
            content |= {"business_connection_id": connection_id, "sender_business_bot": self.bot_user}
        message = self._new_message(chat_id, sender, content)
        self._bot_messages[(chat_id, message["message_id"])] = message
        return copy.deepcopy(message)

    def _business_sender(self, connection_id: str) -> JSON:
        """The account a message sent on its behalf comes from; Telegram's errors for a connection it cannot use."""
        connection = self._business.get(connection_id)
        if connection is None:
            raise _ApiError(400, "Bad Request: BUSINESS_CONNECTION_INVALID")
        if not connection["is_enabled"] or not connection["rights"].get("can_reply"):
            raise _ApiError(400, "Bad Request: BUSINESS_CONNECTION_NOT_ALLOWED")
        return copy.deepcopy(connection["user"])

    def _sent_file(self, kind: str, req: _Request) -> Any:
        """The Document / PhotoSize list Telegram returns for an uploaded or re-sent file."""
        n, upload = next(self._ids), req.uploads.get(kind)
        media: JSON = {"file_id": f"{kind[:2].upper()}ACAgIAAxk{n}", "file_unique_id": f"AgAD{n}"}
        if upload is not None:
            media["file_size"] = len(upload.content)
        elif isinstance(req.params.get(kind), str):
            media["file_id"] = req.params[kind]  # re-sent by file_id or URL
        if kind == "photo":
            return [media | {"width": 800, "height": 800}]
        if upload is not None:
            media |= {"file_name": upload.filename, "mime_type": upload.content_type}
        return media

    def _edit(self, req: _Request) -> JSON | bool:
        """editMessageText / Caption / ReplyMarkup: update the stored message and return it."""
        params, markup = req.params, _inline_markup(req.params)
        if "inline_message_id" in params:
            return True
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            raise _ApiError(400, "Bad Request: message to edit not found")
        key = (chat_id, message_id)
        message = self._bot_messages.setdefault(key, self._bot_message(chat_id, message_id))
        message.update({k: _rendered(params, k) for k in ("text", "caption") if k in params})
        message.pop("reply_markup", None)  # editing without a keyboard removes it
        message.update(_compact({"reply_markup": markup, "edit_date": int(time.time())}))
        return copy.deepcopy(message)

    def _delete(self, req: _Request) -> bool:
        key = (req.params.get("chat_id", 0), req.params.get("message_id", 0))
        self._bot_messages.pop(key, None)
        return True

    def _commands_op(self, req: _Request) -> list[JSON] | bool:
        """set/get/deleteMyCommands, kept per (scope, language_code) like Telegram."""
        scope = req.params.get("scope", {"type": "default"})
        key = json.dumps([scope, req.params.get("language_code", "")], sort_keys=True)
        if req.method == "getMyCommands":
            return self._commands.get(key, [])
        if req.method == "setMyCommands":
            self._commands[key] = list(req.params.get("commands", []))
        else:
            self._commands.pop(key, None)
        return True

    def _webhook_op(self, req: _Request) -> JSON | bool:
        """setWebhook / deleteWebhook / getWebhookInfo; a set webhook blocks getUpdates."""
        if req.method == "getWebhookInfo":
            return {"url": self._webhook_url, "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}
        self._webhook_url = str(req.params.get("url", "")) if req.method == "setWebhook" else ""
        if req.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    # ---- JSON builders (callers hold the lock) --------------------------------------------------
    def _remember_chat(self, chat_id: int, chat_type: str, user: JSON) -> JSON:
        if chat_type == "private":
            names = ("first_name", "last_name", "username")
            chat = {"id": chat_id, "type": "private"} | {k: user[k] for k in names if k in user}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": "Test Group"}
        self._chats[chat_id] = chat
        return dict(chat)

    def _chat(self, chat_id: int) -> JSON:
        """The chat JSON for ``chat_id``, guessed if it never wrote to the bot."""
        guess = ({"id": chat_id, "type": "private", "first_name": "Dana"} if chat_id > 0
                 else {"id": chat_id, "type": "supergroup", "title": "Test Group"})
        return dict(self._chats.get(chat_id, guess))

    def _bot_message(self, chat_id: int, message_id: int) -> JSON:
        """A copy of the bot's stored message, or a plausible stand-in for an unknown one."""
        return copy.deepcopy(self._bot_messages.get((chat_id, message_id))) or {
            "message_id": message_id, "from": self.bot_user, "chat": self._chat(chat_id),
            "date": int(time.time()) - 60, "text": "…"}

    def _new_message(self, chat_id: int, sender: JSON | None, content: JSON) -> JSON:
        """A Message dict with the chat's next message_id (user and bot share the counter)."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return _compact({"message_id": self._last_message_id[chat_id], "from": sender,
                         "chat": self._chat(chat_id), "date": int(time.time())}) | content

    def _push_message(
        self, kind: str, chat_id: int, chat_type: str, user: JSON, content: JSON
    ) -> int:
        with self._cond:
            self._remember_chat(chat_id, chat_type, user)
            message = self._new_message(chat_id, user, content)
        return self.push_update({kind: message})

