"""Contracts the layout keeps: a pure engine, and no traffic off this machine during the suite."""

from __future__ import annotations

import ast
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "bot" / "engine"
# What the engine may import from this project: itself, the content pack's models and the error tree.
ENGINE_MAY_IMPORT = ("bot.engine", "bot.content", "bot.errors")
# Third-party libraries the engine may use: validation and parsing helpers, never I/O.
ENGINE_LIBRARIES = {"pydantic", "holidays", "email_validator", "phonenumbers"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_engine_imports_only_itself_the_content_models_errors_and_the_standard_library(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "bot":
            assert name.startswith(ENGINE_MAY_IMPORT), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top in ENGINE_LIBRARIES, f"{path.name} imports {name}"


def test_the_suite_cannot_reach_beyond_loopback() -> None:
    # The guard in tests/conftest.py refuses before any packet leaves (192.0.2.1 is TEST-NET-1, never routed).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(ConnectionRefusedError, match="loopback"):
        sock.connect(("192.0.2.1", 443))


def test_loopback_stays_reachable() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
