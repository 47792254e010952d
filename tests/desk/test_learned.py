"""Learned answers: tried before the pack, conservative about what counts as the same question, exported as pack files."""

from __future__ import annotations

import pytest
import yaml

from bot.content import ContentPack, KnowledgeEntry
from bot.knowledge import PackAnswerer
from bot.learned import Learned, LearnedAnswerer, entry_yaml, pack_entry, pack_yaml
from db.models import LearnedAnswer

PARROT = Learned(1, ("will my parrot be welcome?",), "Yes, well-behaved parrots are welcome <3")


@pytest.fixture(scope="module")
def pack(content: ContentPack) -> PackAnswerer:
    """The shipped pack's answerer (built once: it indexes the pack)."""
    return PackAnswerer(content)


@pytest.fixture
def answerer(pack: PackAnswerer) -> LearnedAnswerer:
    """A learned answerer over the shipped pack, knowing the parrot answer."""
    learned = LearnedAnswerer(pack)
    learned.replace([PARROT])
    return learned


@pytest.mark.parametrize(
    "question", ["Will my parrot be welcome", "Is my parrot welcome?", "Are parrots welcome?", "my parot, will it be welcome?"]
)
def test_the_same_question_in_other_words_gets_the_learned_answer(answerer: LearnedAnswerer, question: str) -> None:
    assert answerer.answer(question) == "Yes, well-behaved parrots are welcome &lt;3"


@pytest.mark.parametrize("question", ["will my dog be welcome?", "will my parrot and my dog be welcome?", "can I bring my parrot?"])
def test_a_different_question_does_not(answerer: LearnedAnswerer, question: str) -> None:
    assert answerer.match(question) is None


def test_the_pack_still_answers_what_was_not_learned(answerer: LearnedAnswerer, pack: PackAnswerer) -> None:
    assert answerer.answer("How much does a session cost?") == pack.answer("How much does a session cost?") is not None


def test_export_is_a_valid_pack_entry() -> None:
    question = "will my parrot be welcome?"
    row = LearnedAnswer(id=3, title=question, questions=[question], answer="Yes.\nBring a perch.")
    entry = KnowledgeEntry.model_validate(yaml.safe_load(entry_yaml(pack_entry(row))))
    assert (entry.id, entry.questions, entry.answer, entry.follow_up) == ("learned_3", [question], "Yes.\nBring a perch.", "none")
    assert [d["id"] for d in yaml.safe_load_all(pack_yaml([row, row]))] == ["learned_3", "learned_3"]
