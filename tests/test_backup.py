"""`headshot-bot db backup`: SQLite through the online backup API while the bot writes; PostgreSQL through pg_dump."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main


def _bot_mid_write(database: Path) -> sqlite3.Connection:
    """The database as a running bot leaves it: a committed lead still in the WAL, another in an open transaction."""
    assert main(["db", "upgrade"]) == 0
    bot = sqlite3.connect(database, isolation_level=None)
    bot.execute("PRAGMA journal_mode=WAL")
    bot.execute("PRAGMA wal_autocheckpoint=0")  # keep the committed row in the WAL: a plain file copy would miss it
    bot.execute("CREATE TABLE backup_probe (note TEXT)")
    bot.execute("INSERT INTO backup_probe VALUES ('committed')")
    bot.execute("BEGIN IMMEDIATE")
    bot.execute("INSERT INTO backup_probe VALUES ('in flight')")
    return bot


def test_sqlite_backup_is_consistent_while_the_bot_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bot = _bot_mid_write(tmp_path / "headshot_bot.db")
    target = tmp_path / "copy.db"
    try:
        assert main(["db", "backup", str(target)]) == 0
    finally:
        bot.rollback()
        bot.close()
    assert f"to {target}" in capsys.readouterr().out
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT note FROM backup_probe").fetchall() == [("committed",)]
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_sqlite_backup_into_a_folder_names_the_file_and_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["db", "backup", str(folder)]) == 0
    [written] = folder.iterdir()
    assert written.name.startswith("headshot_bot-") and written.suffix == ".db" and str(written) in capsys.readouterr().out
    assert main(["db", "backup", str(written)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_postgresql_backup_prints_the_pg_dump_command_when_it_is_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", "postgresql://studio:s3cret-pw@db.internal:5433/headshots")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    assert main(["db", "backup", "nightly.dump"]) == 1
    err = capsys.readouterr().err
    assert "pg_dump --format=custom --file=nightly.dump --dbname=postgresql://studio@db.internal:5433/headshots" in err
    assert "s3cret-pw" not in err and err.count("\n") == 1


def test_postgresql_backup_runs_pg_dump_with_the_password_in_its_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    fake = tmp_path / "bin" / "pg_dump"  # a stand-in that records how it was called and writes the dump file
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$PGPASSWORD $*" > called.txt\nfor a; do case "$a" in --file=*) echo dump > "${a#--file=}";; esac; done\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://studio:s3cret-pw@127.0.0.1/headshots?ssl=require")
    assert main(["db", "backup", "out.dump"]) == 0
    assert (tmp_path / "out.dump").read_text() == "dump\n"
    password, *call = (tmp_path / "called.txt").read_text().split()
    assert password == "s3cret-pw" and "--dbname=postgresql://studio@127.0.0.1/headshots?sslmode=require" in call
    assert str(tmp_path / "out.dump") in capsys.readouterr().out
