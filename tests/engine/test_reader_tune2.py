"""The reader on the classes the tune2 split (tests/data/intake_tune2.yaml) found missing: names without a cue,
questions that are booking requests, party sizes, relative dates, exclusions, French and Spanish fragments.

Reference time: Monday 2026-12-07 10:00 in Vancouver, as in tests/data/intake_conventions.md.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.content import ContentPack
from bot.engine.names import find_name
from bot.engine.parsing import looks_like_question
from bot.engine.state import Step
from tests.engine.helpers import Chat

ZONE = ZoneInfo("America/Vancouver")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=ZONE)
MARK = "\x01"  # an email address or phone number the reader has already taken out


# -- names ----------------------------------------------------------------------------------------------
def test_an_initial_is_part_of_a_signed_name() -> None:
    assert find_name("The 3rd works.\ncheers, J. Okafor") == "J. Okafor"


def test_a_describing_hyphen_word_is_not_a_name() -> None:
    assert find_name("I'm Vancouver-based and starting a coaching business.") is None


def test_a_name_before_a_bar_and_contact_is_read() -> None:
    assert find_name(f"Need brand photos. Priyanka Sharma | {MARK}") == "Priyanka Sharma"


def test_a_name_in_brackets_after_a_phone_is_read() -> None:
    assert find_name(f"Contact me at {MARK} (Rachel)") == "Rachel"


def test_yours_sincerely_signs_off() -> None:
    assert find_name(f"Yours sincerely,\nMargaret Hartley\nOffice Administrator\n{MARK}") == "Margaret Hartley"


def test_a_full_name_before_from_is_kept_whole() -> None:
    assert find_name("Hello, this is Chidi Okafor from Okafor & Partners.") == "Chidi Okafor"


@pytest.mark.parametrize(("text", "name"), [("Hi! Soy Diego Ramírez, I need a headshot", "Diego Ramírez"),
                                            ("Hola, soy Valentina. Necesito fotos", "Valentina"),
                                            (f"Gracias, Alejandro Ruiz {MARK}", "Alejandro Ruiz"),
                                            ("Bonjour, ici Marie-Ève Gagnon. Mon associé et moi", "Marie-Ève Gagnon")])  # fmt: skip
def test_spanish_and_french_introductions_and_sign_offs(text: str, name: str) -> None:
    assert find_name(text) == name


def test_a_lower_case_name_alone_on_the_last_line() -> None:
    assert find_name("need new pics for my acting portfolio. tomorrow after 3 works\n\nkenji") == "Kenji"


def test_a_lower_case_surname_ending_in_ly_is_a_name() -> None:
    assert find_name("my name's tom o'reilly") == "Tom O'Reilly"


@pytest.mark.parametrize("text", ["I'm in Kitsilano, happy to come in", "I'm with Telus and need a headshot",
                                  "I'm Free Thursday afternoon", "Hello! I'm Available most evenings"])  # fmt: skip
def test_capitalised_words_after_im_are_not_names(text: str) -> None:
    assert find_name(text) is None


# -- questions that are booking requests ----------------------------------------------------------------
def test_a_question_proposing_a_day_is_a_request() -> None:
    assert not looks_like_question("Is Tuesday the 8th good, after 1?")


def test_a_question_asking_what_or_how_stays_a_question() -> None:
    assert looks_like_question("What time do you open on Saturday?")


def test_a_first_message_ending_in_a_day_question_starts_the_booking(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("Hi! My name's Ines and I need photos for my Bumble profile. Friday the 18th after work?")
    facts = chat.state.facts
    assert chat.state.step is not Step.IDLE
    assert (facts.name, facts.use, [w.date.isoformat() for w in facts.availability if w.date]) == ("Ines", "dating", ["2026-12-18"])
