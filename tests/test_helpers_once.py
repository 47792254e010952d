"""Small helpers exist once: a copy drifts (five `_clip`s had three default limits), so modules import the one."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.engine.render import clip

ROOT = Path(__file__).resolve().parent.parent


def _definitions(name: str) -> list[str]:
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "db").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") == name:
                found.append(path.relative_to(ROOT).as_posix())
    return found


def test_clip_is_defined_once_in_the_engine_s_rendering() -> None:
    assert _definitions("clip") == ["bot/engine/render.py"]


def test_clip_puts_text_on_one_line_and_cuts_it_with_an_ellipsis() -> None:
    assert clip("a  b\nc", 10) == "a b c"
    assert clip("abcdefghijk", 5) == "abcd…" and len(clip("x" * 500, 120)) == 120
