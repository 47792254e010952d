"""`headshot-bot ask`, `parse` and `knowledge check`."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import PACKAGED_PROMPTS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_ask_json_gives_topic_score_answer_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "ask", "how much does a session cost?", "--json")
    result = json.loads(out)
    assert code == 0 and result["topic"] == "pricing" and result["source"] == "retrieval"
    assert "CAD" in result["answer"] and result["score"] > 0


def test_ask_prints_the_same_words_every_time(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = {run(capsys, "ask", "what should I wear?")[1] for _ in range(3)}
    assert len(outputs) == 1


def test_ask_unknown_question_says_so_honestly(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, "ask", "will my parrot be welcome?", "--json")
    result = json.loads(out)
    assert result["topic"] is None and "rather not guess" in result["answer"]


def test_ask_reads_one_question_per_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("what should I wear?\n\nwrite me a poem about cats\n"))
    _, out = run(capsys, "ask", "-", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["topic"] for r in lines] == ["what_to_wear", "creative_writing"]


def test_parse_reports_intake_facts_in_window_format(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, "parse", "I'm Dana, LinkedIn, free next Thu morning, dana@x.com, 604-555-0123", "--json")
    facts = json.loads(out)["facts"]
    assert (facts["use"], facts["name"], facts["email"], facts["phone"]) == ("linkedin", "Dana", "dana@x.com", "+16045550123")
    assert facts["availability"][0]["weekday"] == "thu" and facts["availability"][0]["part_of_day"] == "morning"


def test_knowledge_check_passes_on_the_shipped_pack(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "knowledge", "check")
    assert code == 0 and "0 errors" in out
    assert "facts still at their example" in out and "packages" in out


def test_run_names_the_facts_still_at_their_example_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    from bot.commands import log_example_facts
    from bot.content import load_content

    shipped = load_content()
    with caplog.at_level("WARNING"):
        log_example_facts(shipped)
    [record] = caplog.records
    assert all(key in record.getMessage() for key in shipped.studio.example_facts)


def test_ask_tries_out_the_examples_labelled(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "ask", "What are your prices?", "--json")
    result = json.loads(out)
    assert code == 0 and result["kind"] == "entry" and "[example]" in result["answer"]


def test_knowledge_check_fails_on_unknown_placeholder_and_misrouted_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACKAGED_PROMPTS, pack)
    import yaml

    wear = yaml.safe_load((pack / "knowledge" / "what_to_wear.yaml").read_text())
    entry = pack / "knowledge" / "turnaround.yaml"
    data = yaml.safe_load(entry.read_text())
    data["questions"] += wear["questions"]  # the same questions in two entries: one of them must misroute
    data["answer"] = "See {nonexistent_fact}\n" + data["answer"]
    entry.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("PROMPTS_DIR", str(pack))
    code, out = run(capsys, "knowledge", "check")
    assert code == 1
    assert "{nonexistent_fact}" in out and "example question routes to" in out
