"""The suite's guard against traffic off this machine: connections, datagrams and name lookups beyond loopback are
refused before any packet leaves, and each refusal is written down, so a test whose code swallowed it still fails.

tests/conftest.py imports this for the suite's own process and puts this folder first on PYTHONPATH, so every Python
process the suite starts (`headshot-bot run`, uvicorn's workers) imports it as its sitecustomize too. It is
self-contained for that reason: a child process may not have the project on its path.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

LOG_VARIABLE = "HEADSHOT_TEST_REFUSALS"  # the file every guarded process appends its refusals to
LOCAL_NAMES = ("localhost", "localhost.")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def _text(host: object) -> str:
    return host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)


def is_local_name(host: object) -> bool:
    """True for a host that needs no lookup beyond this machine: none, an address literal, or localhost."""
    if host is None or host in ("", b""):
        return True
    text = _text(host).split("%")[0]
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return text.lower() in LOCAL_NAMES or text.lower().endswith(".localhost")
    return True


def is_loopback(address: object) -> bool:
    """True for a socket address on this machine: 127.0.0.0/8, ::1, localhost; Unix sockets too."""
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like never leave the machine
    host = _text(address[0]).split("%")[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() in LOCAL_NAMES


def _refuse(what: str) -> None:
    path = os.environ.get(LOG_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {what}\n")


def refusals() -> list[str]:
    """Every refusal written down so far, by this process and the ones it started."""
    path = os.environ.get(LOG_VARIABLE)
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as log:
        return log.read().splitlines()


def _check(address: object, verb: str) -> None:
    if not is_loopback(address):
        host = _text(address[0]) if isinstance(address, tuple) else repr(address)
        _refuse(f"{verb} {host}")
        raise ConnectionRefusedError(f"tests may only {verb} loopback, not {host}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(address, "connect to")
    return _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(address, "connect to")
    return _connect_ex(self, address)


def _guarded_sendto(self: socket.socket, data: Any, *rest: Any) -> int:
    _check(rest[-1] if rest else None, "send to")
    return _sendto(self, data, *rest)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not is_local_name(host):
        _refuse(f"look up {_text(host)}")
        raise socket.gaierror(socket.EAI_NONAME, f"tests may only look up loopback names, not {_text(host)}")
    return _getaddrinfo(host, *args, **kwargs)


def install() -> None:
    """Put the guard in place (once per process)."""
    if getattr(socket, "_loopback_only", False):
        return
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _guarded_getaddrinfo
    socket._loopback_only = True  # type: ignore[attr-defined]


install()
