"""Contracts the layout keeps: a pure engine, imports that never go round in a circle, and no traffic off this machine
during the suite."""

from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.desk import TELEGRAM_EDGE
from tests.offline import sitecustomize as offline

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "bot" / "engine"
# What the engine may import from this project: itself, the content pack's models and the error tree.
ENGINE_MAY_IMPORT = ("bot.engine", "bot.content", "bot.errors")
# Third-party libraries the engine may use: validation and parsing helpers, never I/O.
ENGINE_LIBRARIES = {"pydantic", "holidays", "email_validator", "phonenumbers"}
LAYERED = ("bot", "db")  # the packages whose modules must import one another in one direction only
SHIPPED = ("bot", "db", "migrations")  # the code a studio installs; tests and benchmarks may use telegram freely
ADAPTER = "bot.telegram"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(ENGINE.rglob("*.py")), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_imports_only_itself_the_content_models_errors_and_the_standard_library(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "bot":
            assert name.startswith(ENGINE_MAY_IMPORT), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top in ENGINE_LIBRARIES, f"{path.name} imports {name}"


def _module_names(packages: tuple[str, ...] = LAYERED) -> dict[str, Path]:
    names = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere: at the top, inside a function, under TYPE_CHECKING."""
    modules = _module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*kept, *([base] if base else [])])
                targets |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
        graph[name] = {found for target in targets if (found := _known(target, modules)) not in (None, name)}
    return graph


def _known(target: str, modules: dict[str, Path]) -> str | None:
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another round in a circle (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = [stack.pop()]
            while group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1 or module in graph.get(module, ()):
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def engine_breaches(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Engine module -> the project modules outside bot.engine, bot.content and bot.errors it imports."""
    def allowed(target: str) -> bool:
        return any(target == name or target.startswith(name + ".") for name in ENGINE_MAY_IMPORT)

    engine = {m: targets for m, targets in graph.items() if m == "bot.engine" or m.startswith("bot.engine.")}
    return {module: bad for module, targets in engine.items() if (bad := {t for t in targets if not allowed(t)})}


def test_engine_reaches_no_project_module_but_itself_content_and_errors_not_even_relatively_or_inside_a_function() -> None:
    graph = _import_graph()
    reached = set().union(*(targets for module, targets in graph.items() if module.startswith("bot.engine")))
    assert {"bot.content", "bot.engine.state"} <= reached  # the walk sees the engine's imports
    assert engine_breaches(graph) == {}


def test_the_engine_check_names_a_breach_and_only_that() -> None:
    graph = {"bot.engine.intake": {"bot.engine.state", "bot.content", "bot.errors"}, "bot.engine.render": {"bot.desk.cards"},
             "bot.engineering": {"db.models"}, "bot.engine.x": {"bot.errors_extra"}}  # fmt: skip
    assert engine_breaches(graph) == {"bot.engine.render": {"bot.desk.cards"}, "bot.engine.x": {"bot.errors_extra"}}


def telegram_importers(packages: tuple[str, ...] = SHIPPED) -> set[str]:
    """The modules that import python-telegram-bot anywhere: at the top, inside a function, under TYPE_CHECKING."""
    found = set()
    for name, path in _module_names(packages).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            if any(module == "telegram" or module.startswith("telegram.") for module in modules):
                found.add(name)
    return found


def test_only_the_telegram_adapter_and_the_desks_declared_edge_import_telegram() -> None:
    importers = telegram_importers()
    assert {"bot.telegram.app", "bot.telegram.handlers", "bot.desk.cards"} <= importers  # the walk sees them
    outside = {name for name in importers if name != ADAPTER and not name.startswith(ADAPTER + ".")}
    assert outside - TELEGRAM_EDGE == set(), "import telegram only in bot/telegram/ (or add the module to bot.desk.TELEGRAM_EDGE)"


def test_the_desks_telegram_edge_lists_only_desk_modules_that_import_telegram() -> None:
    # A module that stops importing telegram leaves the list, so the list stays the desk's edge and no more.
    desk = {name for name in _module_names() if name.startswith("bot.desk.")}
    assert TELEGRAM_EDGE - desk == set()
    assert TELEGRAM_EDGE - telegram_importers() == set()


def test_no_import_cycle_in_bot_or_db_not_even_through_an_import_inside_a_function() -> None:
    graph = _import_graph()
    assert "bot.desk.handlers" in graph["bot.telegram.handlers"]  # the walk sees the imports it must
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_and_only_that() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]


@pytest.mark.reaches_beyond_loopback
def test_the_suite_cannot_connect_beyond_loopback() -> None:
    # The guard (tests/offline/sitecustomize.py) refuses before any packet leaves (192.0.2.1 is TEST-NET-1, never routed).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(ConnectionRefusedError, match="loopback"):
        sock.connect(("192.0.2.1", 443))


@pytest.mark.reaches_beyond_loopback
def test_the_suite_cannot_look_up_a_name_beyond_this_machine() -> None:
    # A lookup is traffic too (to the resolver), even when the connection after it would be refused.
    with pytest.raises(socket.gaierror, match="loopback"):
        socket.getaddrinfo("api.telegram.org", 443)


@pytest.mark.reaches_beyond_loopback
def test_the_suite_cannot_send_a_datagram_beyond_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(ConnectionRefusedError, match="loopback"):
        sock.sendto(b"?", ("192.0.2.1", 53))


@pytest.mark.reaches_beyond_loopback
def test_a_process_the_suite_starts_is_guarded_and_its_refusal_recorded() -> None:
    # Run from an empty folder with only the suite's environment, as the tests start `headshot-bot run`.
    code = "import socket; socket.create_connection(('192.0.2.1', 443), timeout=2)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT / "tests" / "data")
    assert result.returncode != 0 and "may only connect to loopback" in result.stderr
    assert any(line.endswith("connect to 192.0.2.1") for line in offline.refusals())


def test_a_refusal_the_code_swallowed_still_fails_the_test(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("from tests.conftest import _nothing_beyond_loopback, _offline_children, pytest_configure\n")
    (tmp_path / "test_quiet.py").write_text(
        "import contextlib, socket\n\n"
        "def test_quietly():\n"
        "    with contextlib.suppress(OSError), socket.socket() as sock:\n"
        "        sock.connect(('192.0.2.1', 443))\n"
    )  # fmt: skip
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ["PYTHONPATH"]])}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert "1 passed, 1 error" in result.stdout and "tried to reach beyond loopback" in result.stdout


def test_loopback_stays_reachable() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    assert socket.getaddrinfo("localhost", 80) and socket.getaddrinfo("::1", 80) and socket.getaddrinfo(None, 80)


# The Bot API methods that put a message in front of someone (answering a tap with a toast is not one of them).
SEND_METHODS = frozenset({"send_message", "send_message_draft", "send_document", "send_photo", "copy_message",
                          "forward_message", "edit_message_text", "edit_message_reply_markup", "reply_text",
                          "reply_html", "reply_document"})  # fmt: skip
# The modules that call them today. Every call passes the one limiter and failure policy (bot/telegram/delivery.py,
# installed on the Bot itself); issue 14's single sender port is not in yet, so this list may only shrink: a new
# module sending on its own fails here, and a module that stops sending must leave the list.
SENDERS = frozenset({"bot.telegram.handlers", "bot.desk.jobs", "bot.desk.commands", "bot.desk.buttons",
                     "bot.desk.notify"})  # fmt: skip


def bot_senders(packages: tuple[str, ...] = SHIPPED) -> set[str]:
    """The shipped modules that call a Bot API method which sends or edits a message."""
    found = set()
    for name, path in _module_names(packages).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SEND_METHODS:
                found.add(name)
    return found


def test_no_module_sends_to_telegram_but_the_known_senders_and_none_of_those_stopped() -> None:
    assert bot_senders() == SENDERS
