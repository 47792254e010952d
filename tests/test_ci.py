"""What CI checks besides the suite: ruff on everything, then mypy, strict, on exactly the engine and db/."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_with_no_arguments_checks_the_engine_and_db_strictly() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mypy = config["tool"]["mypy"]
    assert mypy["files"] == ["bot/engine", "db"] and mypy["strict"] is True
    assert mypy.get("follow_imports") == "silent"  # what they import is read for types, not reported on
    assert any(d.startswith("mypy") for d in config["project"]["optional-dependencies"]["test"])
    assert any(line.startswith("mypy==") for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines())


def test_ci_runs_mypy_after_ruff() -> None:
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert commands.index(".venv/bin/mypy") > commands.index(".venv/bin/ruff check .")
