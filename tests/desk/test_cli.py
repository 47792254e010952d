"""The desk from the terminal: set-status, a lead's history and open questions, learned answers in the pack's format."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest
import yaml

from bot.cli import main
from bot.content import PACKAGED_PROMPTS, load_content
from bot.engine.vocabulary import DeskMessageKind, LeadStatus
from bot.services import build_services
from db.desk import lead_events, track_desk_message
from db.leads import create_lead
from db.learned import create_learned_answer
from db.questions import create_question
from tests.conftest import ADMIN_CHAT_ID, make_settings
from tests.fakes.telegram_server import FakeTelegram


def _seed(url: str) -> None:
    """One lead with an open question, a question from a chat without a lead, one learned answer."""

    async def seed() -> None:
        services = build_services(make_settings(url))
        async with services.sessionmaker.begin() as session:
            lead = await create_lead(session, chat_id=4242, name="Dana", availability=[], email="dana@example.com")
            await create_question(session, 4242, "can we shoot on a rooftop?", lead.id)
            await create_question(session, 5151, "will my parrot be welcome?")
            await create_learned_answer(session, "do you shoot pets?", "Only with their humans.", "Anna")
        await services.close()

    asyncio.run(seed())


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """DATABASE_URL pointing at a seeded SQLite database."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    _seed(sqlite_url)
    return sqlite_url


def test_set_status_is_recorded_as_done_by_cli_and_shown_in_the_history(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leads", "set-status", "1", "contacted", "--note", "left a voicemail"]) == 0
    assert "new -> contacted" in capsys.readouterr().out
    assert main(["leads", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "cli new -> contacted: left a voicemail" in shown
    assert "Open questions:" in shown and "can we shoot on a rooftop?" in shown and "parrot" not in shown

    async def events() -> list[tuple[str, LeadStatus]]:
        services = build_services(make_settings(seeded))
        async with services.sessionmaker() as session:
            rows = await lead_events(session, 1)
        await services.close()
        return [(e.actor, e.new_status) for e in rows]

    assert asyncio.run(events()) == [("cli", LeadStatus.CONTACTED)]


def test_set_status_edits_the_leads_cards_in_telegram_when_the_bot_is_configured(
    seeded: str, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = httpx.post(f"{fake_telegram.base_url}{fake_telegram.token}/sendMessage",
                      json={"chat_id": ADMIN_CHAT_ID, "text": "New lead #1"}).json()["result"]  # the bot's card, as posted
    asyncio.run(_track_card(seeded, sent["message_id"]))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake_telegram.token)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_telegram.base_url)
    monkeypatch.setenv("ADMIN_CHAT_IDS", str(ADMIN_CHAT_ID))
    assert main(["leads", "set-status", "1", "booked"]) == 0
    assert "its cards in Telegram were edited (1)" in capsys.readouterr().out
    [edit] = fake_telegram.calls_to("editMessageText")
    assert edit.params["message_id"] == sent["message_id"] and str(edit.result["text"]).startswith("Lead #1 · Booked")
    assert edit.params["parse_mode"] == "HTML" and "• Booked" in [b["text"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row]


def test_set_status_still_counts_when_telegram_cannot_be_reached(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:NOT-A-REAL-TOKEN")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9/bot")  # nothing listens on the discard port
    monkeypatch.setenv("ADMIN_CHAT_IDS", str(ADMIN_CHAT_ID))
    assert main(["leads", "set-status", "1", "lost"]) == 0
    out = capsys.readouterr().out
    assert "new -> lost" in out and "were not edited (NetworkError)" in out and "NOT-A-REAL-TOKEN" not in out


async def _track_card(url: str, message_id: int) -> None:
    services = build_services(make_settings(url))
    async with services.sessionmaker.begin() as session:
        await track_desk_message(session, ADMIN_CHAT_ID, message_id, DeskMessageKind.CARD, 4242, 1)
    await services.close()


def test_set_status_of_an_unknown_lead_fails_cleanly(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leads", "set-status", "99", "booked"]) == 1
    assert "no lead #99" in capsys.readouterr().err


def test_open_questions_are_listed_even_without_a_lead(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "questions"]) == 0
    out = capsys.readouterr().out
    assert "lead #1\tcan we shoot on a rooftop?" in out and "chat 5151\twill my parrot be welcome?" in out


def test_learned_answers_export_into_a_pack_that_loads(seeded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "learned"]) == 0
    assert "do you shoot pets?" in capsys.readouterr().out
    assert main(["knowledge", "learned", "--yaml"]) == 0
    [document] = yaml.safe_load_all(capsys.readouterr().out)
    assert document["answer"] == "Only with their humans."
    pack = tmp_path / "prompts"
    shutil.copytree(PACKAGED_PROMPTS, pack)
    assert main(["knowledge", "learned", "--output", str(pack / "knowledge")]) == 0
    entry = next(e for e in load_content(pack).knowledge if e.id == "learned_1")
    assert (entry.questions, entry.follow_up) == (["do you shoot pets?"], "none")


@pytest.mark.parametrize(
    ("name", "value"), [("REMINDER_HOURS", "-1"), ("REMINDER_HOURS", "soon"), ("DIGEST_TIME", "9am"), ("DIGEST_TIME", "24:00")]
)
def test_malformed_desk_setting_names_itself(name: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(name, value)
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err
