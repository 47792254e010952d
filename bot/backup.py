"""`db backup`: a consistent copy of the database, safe while the bot runs.

SQLite goes through its online backup API, which copies committed pages only (the write-ahead log's included) and
never blocks the bot for long; copying the file by hand can catch it mid-write and misses the WAL. PostgreSQL is
`pg_dump`'s job: run when installed here, otherwise the exact command is printed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url


@dataclass(frozen=True)
class BackupResult:
    """What `db backup` did: a file written, or a command for the photographer to run; one line to print."""

    ok: bool
    line: str


def backup_database(database_url: str, target: Path | None) -> BackupResult:
    """Back up the database the settings name to `target` (a file or a folder; default: next to the database)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return backup_sqlite(url, target)
    return backup_postgresql(url, target)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def backup_sqlite(url: URL, target: Path | None) -> BackupResult:
    """Copy the SQLite file with the backup API; an existing file is never overwritten."""
    if not url.database or url.database == ":memory:":
        return BackupResult(False, "DATABASE_URL names an in-memory SQLite database: there is nothing on disk to back up")
    source = Path(url.database)
    if not source.is_file():
        return BackupResult(False, f"no database at {source.resolve()}: nothing to back up (check DATABASE_URL)")
    default_name = f"{source.stem}-{_stamp()}{source.suffix or '.db'}"
    path = (target / default_name if target.is_dir() else target) if target else source.with_name(default_name)
    if path.exists():
        return BackupResult(False, f"{path} already exists: give another file name")
    if not path.parent.is_dir():
        return BackupResult(False, f"no folder {path.parent}: create it first")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst, pages=1024)  # in steps, so a bot writing meanwhile waits milliseconds, not the whole copy
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        return BackupResult(False, f"the copy at {path} failed SQLite's check ({check}): run the backup again")
    return BackupResult(True, f"backed up {source.resolve()} to {path.resolve()} ({path.stat().st_size // 1024 + 1} KiB)")


def pg_dump_command(url: URL, path: Path) -> list[str]:
    """The pg_dump call for this database, password left out (it goes in PGPASSWORD or ~/.pgpass)."""
    query = {("sslmode" if key == "ssl" else key): value for key, value in url.query.items()}  # asyncpg's ssl= is libpq's sslmode=
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database, query)
    libpq = bare.render_as_string(hide_password=False)
    return ["pg_dump", "--format=custom", f"--file={path}", f"--dbname={libpq}"]


def backup_postgresql(url: URL, target: Path | None) -> BackupResult:
    """Run pg_dump when it is installed; otherwise print the command to run where it is."""
    name = f"{url.database or 'headshot'}-{_stamp()}.dump"
    path = (target / name if target.is_dir() else target) if target else Path(name)
    command = pg_dump_command(url, path)
    shown = shlex.join(command)
    if shutil.which("pg_dump") is None:
        return BackupResult(False, f"pg_dump is not installed here; run this where it is (password in PGPASSWORD): {shown}")
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})  # the child's environment, not our settings
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return BackupResult(False, f"pg_dump failed ({reason}); the command was: {shown}")
    return BackupResult(True, f"backed up PostgreSQL database {url.database} to {path.resolve()}")
