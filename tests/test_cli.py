"""The `headshot-bot` command: configuration errors, db upgrade, the console chat and lead export."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The console script as a person runs it, in a child process."""
    import os

    full_env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "ADMIN_CHAT_IDS")}
    full_env |= env or {}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=full_env, timeout=120, cwd=Path.cwd())  # fmt: skip


def test_run_without_token_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "value"),
    [("ADMIN_CHAT_IDS", "12,abc"), ("TIMEZONE", "Mars/Olympus"), ("DATABASE_URL", "mysql://x"), ("PROMPTS_DIR", "/nonexistent")],
)
def test_malformed_setting_names_itself(name: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(name, value)
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err


def test_settings_come_from_a_dotenv_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=Nowhere/Land\n")
    assert main(["db", "upgrade"]) == 2
    assert "TIMEZONE" in capsys.readouterr().err


def test_token_is_never_printed(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:SECRET-TOKEN-VALUE")
    monkeypatch.setenv("TIMEZONE", "bad/zone")
    main(["run"])
    captured = capsys.readouterr()
    assert "SECRET-TOKEN-VALUE" not in captured.out + captured.err


def test_db_upgrade_creates_the_default_sqlite_file(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "headshot_bot.db").exists()


def test_chat_books_a_session_and_export_finds_it(tmp_path: Path) -> None:
    script = "\n".join(["/book", "I'm Dana, LinkedIn, free next Thu morning, dana@example.com", "skip", "1", "/quit"]) + "\n"
    chat = run_cli("chat", "--name", "Dana", stdin=script)
    assert chat.returncode == 0, chat.stderr
    assert "Here's your request" in chat.stdout and "Thank you, Dana" in chat.stdout
    exported = run_cli("leads", "export", "--format", "json")
    [lead] = json.loads(exported.stdout)
    assert {"id", "created_at", "status", "name", "telegram_user_id", "telegram_username", "intended_use", "people", "availability",
            "availability_text", "email", "phone", "source", "notes"} <= lead.keys()  # fmt: skip
    assert (lead["name"], lead["intended_use"], lead["email"], lead["status"]) == ("Dana", "linkedin", "dana@example.com", "new")
    assert lead["availability"][0]["part_of_day"] == "morning" and lead["created_at"].endswith("Z")
    out = tmp_path / "leads.csv"
    assert run_cli("leads", "export", "--format", "csv", "--output", str(out)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["email"] for r in rows] == ["dana@example.com"]
    listing = run_cli("leads", "list")
    assert "#1" in listing.stdout and "linkedin" in listing.stdout
    shown = run_cli("leads", "show", "1")
    assert "dana@example.com" in shown.stdout and "I'm Dana, LinkedIn" in shown.stdout


def test_leads_show_unknown_id_fails_cleanly() -> None:
    result = run_cli("leads", "show", "99")
    assert result.returncode == 1 and "no lead #99" in result.stderr and "Traceback" not in result.stderr


def test_tracebacks_and_messages_never_show_a_token_or_key(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from bot.logs import configure_logging

    token, key = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "sk-proj-abcdefghijklmnop1234"
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", (token,))
    try:
        raise RuntimeError(f"getMe failed for https://api.telegram.org/bot{token}/getMe with {key}")
    except RuntimeError:
        logging.getLogger("bot.test").exception("start-up failed for %s", token)
    finally:
        root.handlers[:], root.level = handlers, level
    err = capsys.readouterr().err
    assert "start-up failed" in err and "Traceback" in err
    assert token not in err and key not in err and "AAHdqTcvCH1" not in err


def test_log_level_is_read_in_any_case() -> None:
    from bot.settings import Settings

    assert Settings(log_level="info").log_level == "INFO"
