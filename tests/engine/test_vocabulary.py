"""The domain's words live in bot.engine.vocabulary as StrEnums, and they are what every layer passes: the engine's
buttons, the content pack's keys, and the columns the database reads back."""

from __future__ import annotations

import enum
import inspect
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Enum

import db.models
from bot.content import ContentPack, load_content
from bot.engine import vocabulary
from bot.engine.events import Command, Incoming, Reply, Text
from bot.engine.prompts import ask, example_for, question_for
from bot.engine.render import fill
from bot.engine.state import INTAKE_ORDER, ConversationState
from bot.engine.vocabulary import ButtonAction, Step, Use
from bot.errors import ContentError
from bot.services import build_services
from db.base import Base
from db.leads import list_leads
from db.models import Conversation
from tests.conftest import make_settings, studio_prompts
from tests.engine.helpers import DANA, Chat

VOCABULARIES = [v for _, v in inspect.getmembers(vocabulary, inspect.isclass) if issubclass(v, enum.Enum)]


def test_every_vocabulary_is_a_str_enum_so_it_reads_as_its_word() -> None:
    assert len(VOCABULARIES) >= 10
    for kind in VOCABULARIES:
        assert issubclass(kind, enum.StrEnum), kind
        assert all(f"{member}" == member.value for member in kind), kind


def test_db_models_map_the_vocabulary_and_define_none_of_their_own() -> None:
    own = [c for _, c in inspect.getmembers(db.models, inspect.isclass) if issubclass(c, enum.Enum) and c.__module__ == "db.models"]
    assert own == []
    mapped = {column.type.enum_class for table in Base.metadata.tables.values() for column in table.columns if isinstance(column.type, Enum)}
    assert mapped and all(kind.__module__ == "bot.engine.vocabulary" for kind in mapped)
    assert {Step, Use} <= mapped  # the conversation's step and the lead's use are members too, not bare strings


async def test_a_saved_conversation_and_lead_read_back_as_members(database_url: str) -> None:
    services = build_services(make_settings(database_url))
    at = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    try:
        for event in (Command("book"), Text("I'm Dana, LinkedIn, free next Thu morning, dana@example.com"), Text("skip")):
            await services.conversations.handle(Incoming(5, DANA, event, at))
        async with services.sessionmaker() as session:
            step = (await session.get(Conversation, 5)).step  # type: ignore[union-attr]
        await services.conversations.handle(Incoming(5, DANA, Text("confirm"), at))
        async with services.sessionmaker() as session:
            leads = await list_leads(session)
            done = (await session.get(Conversation, 5)).step  # type: ignore[union-attr]
    finally:
        await services.close()
    assert step is Step.CONFIRM and done is Step.IDLE
    assert [lead.intended_use for lead in leads] == [Use.LINKEDIN] and leads[0].intended_use is Use.LINKEDIN


def test_a_pack_naming_a_use_the_bot_does_not_know_fails_to_load(tmp_path: Path) -> None:
    pack = tmp_path / "prompts"
    shutil.copytree(studio_prompts(), pack)
    intake = pack / "intake.yaml"
    intake.write_text(intake.read_text(encoding="utf-8").replace("uses:\n", "uses:\n  weddings:\n    label: Weddings\n    keywords: [wedding]\n", 1), encoding="utf-8")
    with pytest.raises(ContentError, match=r"intake\.yaml: uses"):
        load_content(pack)


def test_the_pack_keys_uses_and_edit_fields_by_the_vocabulary(content: ContentPack) -> None:
    assert all(type(key) is Use for key in content.intake.uses) and all(type(u) is Use for u in content.intake.team_uses)
    assert all(type(key) is Step for key in content.intake.edit_fields)


def test_every_engine_button_carries_a_button_action_also_after_the_journal(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/start")
    chat.send("/book")
    buttons = [b for r in chat.last.replies for row in r.buttons for b in row]
    assert buttons and all(type(b.action) is ButtonAction for b in buttons)
    for reply in chat.last.replies:
        again = Reply.from_json(reply.to_json())
        assert again == reply and all(type(b.action) is ButtonAction for row in again.buttons for b in row)


def test_each_intake_step_has_its_question_and_each_question_is_what_ask_says(content: ContentPack) -> None:
    for step in INTAKE_ORDER:
        assert question_for(step, content), step
        reply = ask(ConversationState(step=step), DANA, content)
        assert reply.text == fill(question_for(step, content), content).strip(), step
    assert question_for(Step.IDLE, content) == question_for(Step.CONFIRM, content) == ""


def test_each_step_but_notes_has_an_example_answer(content: ContentPack) -> None:
    assert [s for s in INTAKE_ORDER if not example_for(s, content)] == [Step.NOTES]
