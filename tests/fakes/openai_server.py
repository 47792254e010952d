"""A fake OpenAI-compatible server: a real HTTP server on 127.0.0.1 that the real `openai` client talks to.

It answers POST /v1/chat/completions, plain or streamed (server-sent events), from a queue of scripted
responses; with an empty queue it answers with a grounded reply that cites the first entry it was given.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JSON = dict[str, Any]
_ENTRY_ID_RE = re.compile(r'"id":\s*"([a-z0-9_]+)"')


@dataclass(frozen=True)
class Scripted:
    """One scripted answer: a status with an error body, or content (streamed in chunks when asked)."""

    content: str | None = None
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """What the client sent."""

    path: str
    body: JSON
    headers: dict[str, str]

    @property
    def messages(self) -> list[JSON]:
        """The chat messages of the request."""
        return list(self.body.get("messages", []))

    @property
    def prompt(self) -> str:
        """All message contents joined, for assertions."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


def grounded_reply(request: Request) -> str:
    """The default answer: a short reply that cites the first entry id found in the prompt."""
    ids = _ENTRY_ID_RE.findall(request.prompt)
    return json.dumps({"answer": "Here is what the studio says about that.", "entry_ids": ids[:1]})


class FakeOpenAI:
    """Start it, point `openai.AsyncOpenAI(base_url=fake.base_url)` at it, script answers, read `requests`."""

    def __init__(self, default: Callable[[Request], str] = grounded_reply) -> None:
        self.default = default
        self.requests: list[Request] = []
        self._script: list[Scripted] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The `/v1` base URL to give the client."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> None:
        """Serve on a free port from a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Shut the server down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def script(self, *answers: Scripted) -> None:
        """Queue answers for the next requests, in order."""
        with self._lock:
            self._script.extend(answers)

    def completions(self) -> list[Request]:
        """The chat-completion requests received so far."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next(self, request: Request) -> Scripted:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.pop(0)
        return Scripted(self.default(request))

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b"{}"
        request = Request(handler.path, json.loads(raw or b"{}"), {k.lower(): v for k, v in handler.headers.items()})
        answer = self._next(request)
        if answer.delay:
            time.sleep(answer.delay)
        try:
            if answer.status != 200:
                self._send(handler, answer.status, {"error": {"message": "scripted failure", "type": "server_error"}}, answer.headers)
            elif request.body.get("stream"):
                self._stream(handler, request, answer.content or "")
            else:
                self._send(handler, 200, _completion(request, answer.content or ""), answer.headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: JSON, headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _stream(handler: BaseHTTPRequestHandler, request: Request, content: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Connection", "close")
        handler.end_headers()
        pieces = [content[i : i + 12] for i in range(0, len(content), 12)] or [""]
        for piece in pieces:
            chunk = _chunk(request, {"content": piece}, None)
            handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            handler.wfile.flush()
        handler.wfile.write(f"data: {json.dumps(_chunk(request, {}, 'stop'))}\n\n".encode())
        handler.wfile.write(b"data: [DONE]\n\n")
        handler.wfile.flush()
        handler.close_connection = True


def _completion(request: Request, content: str) -> JSON:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.body.get("model", "fake-model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _chunk(request: Request, delta: JSON, finish: str | None) -> JSON:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.body.get("model", "fake-model"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
