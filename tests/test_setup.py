"""`headshot-bot init`, `doctor` and `knowledge preview`, through their argparse registration and the fake Bot API."""

from __future__ import annotations

import argparse
import io
import socket
import stat
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values

from bot.console import plain
from bot.content import load_content
from bot.knowledge import PackAnswerer
from bot.setup import register
from tests.conftest import studio_prompts
from tests.fakes.openai_server import FakeOpenAI, Scripted
from tests.fakes.telegram_server import FakeTelegram

FACT_FLAGS = {"studio_name": "Bright Frame Studio", "photographer": "Sam Lee", "city": "Burnaby",
              "packages": "Solo, CAD 250: one look\nDuo, CAD 400: two looks", "contact_email": "sam@example.com"}  # fmt: skip


def cli(*argv: str) -> int:
    """Parse as `headshot-bot` would once `register` is wired in, and run the command."""
    parser = argparse.ArgumentParser(prog="headshot-bot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.setup_command(args))


def test_register_joins_the_knowledge_command_of_the_real_parser() -> None:
    from bot.cli import _parser

    parser = _parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "init" not in subcommands.choices:  # until bot/cli.py calls register itself
        register(subcommands)
    assert parser.parse_args(["knowledge", "preview"]).setup_command.__name__ == "run_preview"
    assert parser.parse_args(["knowledge", "check"]).knowledge_command == "check"
    assert parser.parse_args(["init", "--yes"]).yes and parser.parse_args(["doctor"]).setup_command.__name__ == "run_doctor"


def init_flags(fake: FakeTelegram, **overrides: str) -> list[str]:
    """Every init flag, as a script would pass them."""
    values = {"token": fake.token, "api-base-url": fake.base_url, "studio-name": FACT_FLAGS["studio_name"],
              "photographer": FACT_FLAGS["photographer"], "city": FACT_FLAGS["city"], "timezone": "America/Vancouver",
              "packages": FACT_FLAGS["packages"], "email": FACT_FLAGS["contact_email"]} | overrides  # fmt: skip
    return ["init", *(part for name, value in values.items() for part in (f"--{name}", value))]


def studio_values(root: Path) -> dict[str, str | None]:
    """Each fact's value: in prompts/studio.yaml."""
    facts = yaml.safe_load((root / "prompts" / "studio.yaml").read_text(encoding="utf-8"))["facts"]
    return {key: fact.get("value") for key, fact in facts.items()}


@pytest.fixture
def no_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input at its end: every question takes its default (no)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def test_init_with_flags_writes_a_private_env_and_the_studio_facts(fake_telegram: FakeTelegram, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert cli(*init_flags(fake_telegram), "--yes") == 0
    out = capsys.readouterr().out
    assert "@headshot_test_bot" in out and fake_telegram.token not in out and "/join " in out
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    env = dotenv_values(tmp_path / ".env")
    assert (env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_BASE_URL"]) == (fake_telegram.token, fake_telegram.base_url)
    assert (env["PROMPTS_DIR"], env["TIMEZONE"]) == ("./prompts", "America/Vancouver")
    values = studio_values(tmp_path)
    assert {key: values[key] for key in FACT_FLAGS} == FACT_FLAGS


def test_init_keeps_the_comments_of_studio_yaml(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    assert cli(*init_flags(fake_telegram), "--yes") == 0
    text = (tmp_path / "prompts" / "studio.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Studio profile") and "# Inquiry topics" in text
    assert load_content(tmp_path / "prompts").fact("studio_name") == "Bright Frame Studio"


def test_init_again_replaces_nothing_without_a_yes(fake_telegram: FakeTelegram, tmp_path: Path, no_answers: None,
                                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert cli(*init_flags(fake_telegram), "--yes") == 0
    (tmp_path / ".env").write_text((tmp_path / ".env").read_text() + "# my note\n")
    again = init_flags(fake_telegram, **{"studio-name": "Other Studio", "timezone": "America/Toronto", "email": "x@example.org"})
    assert cli(*again) == 0
    assert "kept studio_name" in capsys.readouterr().out
    env = dotenv_values(tmp_path / ".env")
    assert env["TIMEZONE"] == "America/Vancouver" and "# my note" in (tmp_path / ".env").read_text()
    values = studio_values(tmp_path)
    assert (values["studio_name"], values["contact_email"]) == ("Bright Frame Studio", "sam@example.com")


def test_init_again_keeps_a_fact_edited_by_hand(fake_telegram: FakeTelegram, tmp_path: Path, no_answers: None) -> None:
    assert cli(*init_flags(fake_telegram), "--yes") == 0
    studio = tmp_path / "prompts" / "studio.yaml"
    studio.write_text(studio.read_text(encoding="utf-8").replace('"Sam Lee"', '"Samantha Lee"'), encoding="utf-8")
    assert cli(*init_flags(fake_telegram)) == 0
    assert studio_values(tmp_path)["photographer"] == "Samantha Lee"


def test_init_replaces_a_fact_when_the_answer_is_yes(fake_telegram: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli(*init_flags(fake_telegram), "--yes") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n" * 10))
    assert cli(*init_flags(fake_telegram, **{"studio-name": "Other Studio"})) == 0
    assert studio_values(tmp_path)["studio_name"] == "Other Studio"


def test_init_asks_in_the_terminal_when_no_flag_is_given(
    fake_telegram: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = ["", "Lens & Light", "Kim Park", "", "Mini, CAD 150", "Full, CAD 300", "", "kim@example.com"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
    assert cli("init", "--token", fake_telegram.token, "--api-base-url", fake_telegram.base_url) == 0
    values = studio_values(tmp_path)
    assert (values["studio_name"], values["photographer"], values["city"]) == ("Lens & Light", "Kim Park", "Vancouver")
    assert (values["packages"], values["contact_email"]) == ("Mini, CAD 150\nFull, CAD 300", "kim@example.com")
    assert dotenv_values(tmp_path / ".env")["TIMEZONE"] == "America/Vancouver"


def test_init_ill_confirm_leaves_prices_to_the_photographer(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    assert cli(*init_flags(fake_telegram, packages="I'll confirm"), "--yes") == 0
    content = load_content(tmp_path / "prompts")
    assert content.fact("packages") is None and "packages" not in content.studio.example_facts


def test_init_with_a_rejected_token_writes_nothing(fake_telegram: FakeTelegram, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*init_flags(fake_telegram, token="123456:WRONG-TOKEN-VALUE"), "--yes") == 1
    out = capsys.readouterr().out
    assert "✗ Telegram rejected the token" in out and "WRONG-TOKEN-VALUE" not in out
    assert not (tmp_path / ".env").exists() and not (tmp_path / "prompts").exists()


def test_init_with_a_malformed_time_zone_is_one_line_and_exit_2(fake_telegram: FakeTelegram, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert cli(*init_flags(fake_telegram, timezone="Mars/Olympus"), "--yes") == 2
    assert capsys.readouterr().err.count("\n") == 1 and not fake_telegram.calls and not (tmp_path / ".env").exists()


def doctor_lines(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Doctor's exit status and printed lines."""
    code = cli("doctor")
    return code, capsys.readouterr().out.splitlines()


def test_doctor_after_init_passes_every_check(fake_telegram: FakeTelegram, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(*init_flags(fake_telegram), "--yes") == 0
    capsys.readouterr()
    code, lines = doctor_lines(capsys)
    assert code == 0, lines
    assert len(lines) == 8 and all(line.startswith("✓ ") for line in lines)
    assert "@headshot_test_bot" in lines[1] and "newest revision" in lines[3]
    assert fake_telegram.token not in "\n".join(lines)


def write_env(fake: FakeTelegram, tmp_path: Path, sqlite_url: str, **values: str | None) -> None:
    """A `.env` for a studio whose pack has its facts set (a None value leaves that setting out)."""
    settings = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url, "DATABASE_URL": sqlite_url,
                "PROMPTS_DIR": str(studio_prompts())} | values  # fmt: skip
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in settings.items() if v is not None))


def test_doctor_with_a_bad_token_fails_without_printing_it(fake_telegram: FakeTelegram, tmp_path: Path, sqlite_url: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    write_env(fake_telegram, tmp_path, sqlite_url, TELEGRAM_BOT_TOKEN="123456:SECRET-BAD-TOKEN")
    code, lines = doctor_lines(capsys)
    assert code == 1
    assert lines[1].startswith("✗ Telegram rejected the token") and lines[2].startswith("✗ webhook/polling not checked")
    assert "SECRET-BAD-TOKEN" not in "\n".join(lines)
    assert [line[0] for line in lines[3:]] == ["✓"] * 5


def test_doctor_names_telegram_unreachable_with_the_host_and_the_error(fake_telegram: FakeTelegram, tmp_path: Path,
                                                                       sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    with socket.socket() as closed:  # a port nobody listens on: the connection is refused at once
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    write_env(fake_telegram, tmp_path, sqlite_url, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot")
    code, lines = doctor_lines(capsys)
    assert code == 1
    assert lines[1] == (f"✗ cannot reach Telegram at 127.0.0.1:{port} (NetworkError): check the connection or "
                        "TELEGRAM_API_BASE_URL")  # fmt: skip


def test_doctor_names_the_error_telegram_answered_getme_with(fake_telegram: FakeTelegram, tmp_path: Path, sqlite_url: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    fake_telegram.fail_next("getMe", status=429)
    write_env(fake_telegram, tmp_path, sqlite_url)
    code, lines = doctor_lines(capsys)
    assert code == 1 and lines[1] == "✗ Telegram answered getMe with RetryAfter: try again in a minute"


def test_doctor_names_a_failed_getwebhookinfo(fake_telegram: FakeTelegram, tmp_path: Path, sqlite_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    fake_telegram.fail_next("getWebhookInfo", status=400)
    write_env(fake_telegram, tmp_path, sqlite_url)
    code, lines = doctor_lines(capsys)
    assert code == 1 and lines[1].startswith("✓ token valid")
    assert lines[2] == "✗ getWebhookInfo failed (BadRequest): try again in a minute"


def test_doctor_names_a_webhook_set_while_polling(fake_telegram: FakeTelegram, tmp_path: Path, sqlite_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    query = urllib.parse.urlencode({"url": "https://other.example.com/hook"})
    urllib.request.urlopen(f"{fake_telegram.base_url}{fake_telegram.token}/setWebhook?{query}", timeout=5).close()
    write_env(fake_telegram, tmp_path, sqlite_url)
    code, lines = doctor_lines(capsys)
    assert code == 1 and lines[2].startswith("✗ a webhook is set (to other.example.com)")


def test_doctor_names_an_unmigrated_database(fake_telegram: FakeTelegram, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_env(fake_telegram, tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}")
    code, lines = doctor_lines(capsys)
    assert code == 1 and lines[3].startswith("✗ no database file") and "db upgrade" in lines[3]
    assert not (tmp_path / "missing.db").exists()


def test_doctor_names_main_facts_at_their_example(fake_telegram: FakeTelegram, tmp_path: Path, sqlite_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    write_env(fake_telegram, tmp_path, sqlite_url, PROMPTS_DIR=None)
    code, lines = doctor_lines(capsys)
    assert code == 1 and lines[5].startswith("✗ studio facts still at their example: studio_name, photographer")


def test_doctor_with_bad_settings_says_which_and_stops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=Mars/Olympus\n")
    code, lines = doctor_lines(capsys)
    assert code == 1 and len(lines) == 1 and lines[0].startswith("✗ settings do not load (TIMEZONE")


@pytest.mark.parametrize(("status", "line", "code"), [(200, "✓ model gpt-4o-mini answers", 0),
                                                     (500, "✗ the model endpoint answered HTTP 500", 1)])  # fmt: skip
def test_doctor_asks_the_model_endpoint_when_one_is_set(fake_telegram: FakeTelegram, fake_openai: FakeOpenAI, tmp_path: Path, sqlite_url: str,
                                                       capsys: pytest.CaptureFixture[str], status: int, line: str, code: int) -> None:  # fmt: skip
    fake_openai.script(Scripted(content="OK", status=status))
    write_env(fake_telegram, tmp_path, sqlite_url, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=fake_openai.base_url)
    status_code, lines = doctor_lines(capsys)
    assert status_code == code and lines[6].startswith(line) and len(fake_openai.completions()) == 1


def test_preview_prints_each_entry_with_the_reply_a_prospect_gets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_text(f"PROMPTS_DIR={studio_prompts()}\n")
    assert cli("knowledge", "preview") == 0
    out = capsys.readouterr().out
    content = load_content(studio_prompts())
    answerer = PackAnswerer(content)
    assert out.count("\n── ") + out.startswith("── ") == len(content.knowledge)
    for entry in content.knowledge:
        question = entry.questions[0]
        assert f"── {entry.id}: {entry.title}\nQ: {question}\n{plain(answerer.respond(question).text or '')}\n" in out
    assert "<b>" not in out and "does not reach" not in out


def test_init_prints_a_desk_invitation_until_an_account_is_linked(fake_telegram: FakeTelegram, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    import asyncio
    import re

    from bot.desk.service import DeskService, Redemption
    from bot.settings import load_settings
    from db.session import make_engine, make_sessionmaker

    assert cli(*init_flags(fake_telegram), "--yes") == 0
    code = re.search(r"/join (\S+)", capsys.readouterr().out)
    assert code is not None

    async def redeem() -> Redemption:
        engine = make_engine(load_settings().database_url)
        try:
            return await DeskService(make_sessionmaker(engine), load_settings()).redeem(5151, "Sam Lee", code.group(1))
        finally:
            await engine.dispose()

    assert asyncio.run(redeem()) is Redemption.JOINED
    assert cli(*init_flags(fake_telegram), "--yes") == 0
    out = capsys.readouterr().out
    assert "/join" not in out and "1 linked account" in out
