"""Logging as configured at start: JSON lines with LOG_FORMAT=json, scrubbed like the text lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.cli import main
from bot.logs import bind, configure_logging
from bot.settings import load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level
    bind(None, None)


def _json_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings()
    configure_logging(settings.log_level, (TOKEN,), settings.log_format)
    bind(10_001, 4242)
    log = logging.getLogger("bot.test")
    log.info("update received for %s", "bot" + TOKEN)
    try:
        raise RuntimeError(f"getMe failed at https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        log.exception("start-up failed")
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_json_format_is_one_object_per_line_with_time_level_logger_message_and_ids(monkeypatch: pytest.MonkeyPatch,
                                                                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    first, second = _json_lines(monkeypatch, capsys)
    assert {"time", "level", "logger", "message", "update_id", "chat_id"} <= first.keys()
    assert (first["level"], first["logger"], first["update_id"], first["chat_id"]) == ("INFO", "bot.test", 10_001, 4242)
    assert str(first["time"]).endswith("Z") and first["message"] == "update received for bot***"
    assert second["level"] == "ERROR" and "RuntimeError" in str(second["exception"]) and "Traceback" in str(second["exception"])


def test_json_format_masks_the_token_in_messages_and_tracebacks(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _json_lines(monkeypatch, capsys)
    text = json.dumps(lines)
    assert TOKEN not in text and "AAHdqTcvCH1" not in text and "bot***/getMe" in str(lines[1]["exception"])


def test_text_format_stays_the_default(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", (), load_settings().log_format)
    bind(7, 8)
    logging.getLogger("bot.test").warning("plain line")
    assert capsys.readouterr().err.rstrip().endswith("WARNING bot.test update=7 chat=8 plain line")


def test_an_unknown_log_format_names_itself(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "LOG_FORMAT" in err and "json" in err
