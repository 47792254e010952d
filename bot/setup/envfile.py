"""The `.env` file `init` writes: read as the settings read it, updated line by line, readable by its owner only."""

from __future__ import annotations

import os
import re
from pathlib import Path

from dotenv import dotenv_values

_PLAIN = re.compile(r"[A-Za-z0-9_./:@+,-]*")


def read_env(path: Path) -> dict[str, str]:
    """The file's settings as pydantic-settings would read them (an absent file is empty)."""
    if not path.exists():
        return {}
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def write_env(path: Path, updates: dict[str, str]) -> None:
    """Set each key in place (or append it), keep every other line and comment, and leave the file at mode 0600."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for key, value in updates.items():
        line = f"{key}={_quoted(value)}"
        found = [i for i, old in enumerate(lines) if re.match(rf"\s*(export\s+)?{re.escape(key)}\s*=", old)]
        if found:
            lines[found[-1]] = line
        else:
            lines.append(line)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(temporary, 0o600)  # O_CREAT's mode is narrowed by the umask, never widened; an old file keeps its own
    os.replace(temporary, path)


def _quoted(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
