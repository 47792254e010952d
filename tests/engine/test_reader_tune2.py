"""The reader on the classes the tune2 split (tests/data/intake_tune2.yaml) found missing: names without a cue,
questions that are booking requests, party sizes, relative dates, exclusions, French and Spanish fragments.

Reference time: Monday 2026-12-07 10:00 in Vancouver, as in tests/data/intake_conventions.md.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.content import ContentPack
from bot.engine.availability import parse_availability
from bot.engine.names import find_name, read_name
from bot.engine.parsing import find_phone, find_use, looks_like_question
from bot.engine.people import HeadCount, count_people
from bot.engine.vocabulary import Step
from tests.engine.helpers import Chat

ZONE = ZoneInfo("America/Vancouver")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=ZONE)
MARK = "\x01"  # an email address or phone number the reader has already taken out


# -- names ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [("Grace here, looking for a LinkedIn photo", "Grace"), ("Hi, I'm Hunter Oakes, an actor", "Hunter Oakes"),
     ("my name is lena park and i'd like a session", "Lena Park"), ("Sono Chiara, attrice", "Chiara"),
     ("Oh and I'm Jo-Ling btw", "Jo-Ling"), ("Warmly,\nAnne St. Pierre", "Anne St. Pierre"),
     ("Thanks so much, Summer", "Summer")],
)  # fmt: skip
def test_names_that_are_words_hyphens_abbreviations_and_italian(text: str, name: str) -> None:
    assert find_name(text) == name


@pytest.mark.parametrize("text", ["It's for my son. His name's Leo.", "I'm Available most mornings", "Will you be open Friday?",
                                  "I'm Free after 3"])  # fmt: skip
def test_no_name_for_someone_else_or_a_capitalised_word(text: str) -> None:
    assert find_name(text) is None


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


def test_a_first_message_whose_day_contradicts_its_date_starts_the_booking_and_keeps_the_rest(content: ContentPack) -> None:
    chat = Chat(content)  # Dec 19 2026 is a Saturday: the bot asks which, and keeps the name and the party
    chat.send("Could my partner and I both come in? Sunday the 19th suits us. Thanks, Omar")
    assert chat.state.step is not Step.IDLE and chat.state.choices
    assert (chat.state.facts.name, chat.state.facts.people) == ("Omar", 2)


# -- availability ---------------------------------------------------------------------------------------
def read(text: str, content: ContentPack, now: datetime = MONDAY) -> list[str]:
    """Windows as compact strings: "2026-12-10 thu morning 15:00-" (date, weekday, part, start-end)."""
    out = []
    for w in parse_availability(text, now, content.intake).windows:
        bounds = f" {w.start:%H:%M}-" if w.start else ""
        bounds = f"{bounds or ' '}{'' if bounds else '-'}{w.end:%H:%M}" if w.end else bounds
        out.append(f"{w.date or '-'} {w.weekday or '-'} {w.part_of_day}{bounds}")
    return out


def test_the_weekday_after_next(content: ContentPack) -> None:
    assert read("the Monday after next", content) == ["2026-12-21 mon any"]


def test_the_weekday_after_an_earlier_one(content: ContentPack) -> None:
    assert read("next Monday or the Monday after", content) == ["2026-12-14 mon any", "2026-12-21 mon any"]


def test_a_week_from_a_weekday(content: ContentPack) -> None:
    assert read("a week from Friday, in the morning", content) == ["2026-12-18 fri morning"]


def test_weeks_from_today(content: ContentPack) -> None:
    assert read("two weeks from today", content) == ["2026-12-21 mon any"]


def test_in_two_weeks_stays_vague(content: ContentPack) -> None:
    result = parse_availability("in two weeks", MONDAY, content.intake)
    assert (result.windows, result.vague) == ([], True)


def test_the_week_of_a_date_is_its_working_week(content: ContentPack) -> None:
    assert read("the week of December 14th, mornings", content) == [
        f"2026-12-{d} {w} morning" for d, w in ((14, "mon"), (15, "tue"), (16, "wed"), (17, "thu"), (18, "fri"))]


def test_dotted_day_month_dates(content: ContentPack) -> None:
    assert read("I can come 21.12. in morning or 22.12.", content) == ["2026-12-21 mon morning", "2026-12-22 tue any"]


def test_a_decimal_is_not_a_date(content: ContentPack) -> None:
    assert read("about 2.5 hours", content) == []


def test_a_part_after_a_range_in_next_week_applies_to_every_day(content: ContentPack) -> None:
    assert read("Monday to Wednesday next week, afternoons", content) == [
        "2026-12-14 mon afternoon", "2026-12-15 tue afternoon", "2026-12-16 wed afternoon"]


def test_a_refused_part_of_day_leaves_the_others(content: ContentPack) -> None:
    assert read("not mornings tho, im free friday", content) == ["2026-12-11 fri afternoon", "2026-12-11 fri evening"]


def test_not_free_still_refuses_the_day(content: ContentPack) -> None:
    assert read("Monday or Tuesday, not free Tuesday", content) == ["2026-12-14 mon any"]


@pytest.mark.parametrize("text", ["Good evening, could we do Saturday the 12th?", "Morning! Any day next week works for us."])
def test_a_greeting_is_not_a_part_of_day(text: str, content: ContentPack) -> None:
    assert all(w.endswith(" any") for w in read(text, content))


def test_a_holiday_as_a_deadline_is_not_a_day(content: ContentPack) -> None:
    assert read("my agent wants them by christmas. free monday", content) == ["2026-12-14 mon any"]


def test_a_holiday_naming_a_thing_is_not_a_day(content: ContentPack) -> None:
    assert read("a portrait for our Christmas card, this Sunday afternoon", content) == ["2026-12-13 sun afternoon"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mañana por la tarde", ["2026-12-08 tue afternoon"]),
     ("el viernes por la mañana o el sábado", ["2026-12-11 fri morning", "2026-12-12 sat any"]),
     ("el 21 de diciembre por la mañana", ["2026-12-21 mon morning"]),
     ("la semana que viene cualquier día menos el miércoles", ["2026-12-14 mon any", "2026-12-15 tue any", "2026-12-17 thu any", "2026-12-18 fri any"])],
)  # fmt: skip
def test_spanish_days_dates_and_parts(text: str, expected: list[str], content: ContentPack) -> None:
    assert read(text, content) == expected


@pytest.mark.parametrize(("text", "expected"), [("le 21 déc. en matinée", ["2026-12-21 mon morning"]),
                                                ("lundi prochain en fin d'après-midi", ["2026-12-14 mon afternoon"]),
                                                ("vendredi prochain après 14h", ["2026-12-18 fri afternoon 14:00-"]),
                                                ("el viernes que viene", ["2026-12-18 fri any"]),
                                                ("pas lundi dernier, mais jeudi", ["2026-12-10 thu any"])])  # fmt: skip
def test_french_month_abbreviations_and_late_afternoon(text: str, expected: list[str], content: ContentPack) -> None:
    assert read(text, content) == expected


# -- party sizes and uses -------------------------------------------------------------------------------
def test_counts_side_by_side_add_up() -> None:
    assert count_people("our firm has 4 partners and 2 associates") == HeadCount(6, True)


def test_a_family_of_five_is_counted_but_not_a_team() -> None:
    assert count_people("We're a family of five") == HeadCount(5, False)


def test_n_of_my_colleagues_with_me() -> None:
    assert count_people("me plus four of my agents") == HeadCount(5, True)


def test_people_alone_are_not_colleagues() -> None:
    assert count_people("two people") == HeadCount(2, False)


@pytest.mark.parametrize(
    ("text", "count"),
    [("it's for me and my business partner, for our shop's site", HeadCount(2, True)),
     ("my cofounder Priya and I need new photos", HeadCount(2, True)),
     ("half a dozen of our nurses", HeadCount(6, True)),
     ("a trio of founders, me included", HeadCount(3, True)),
     ("the whole department (around 14) needs photos", HeadCount(14, True)),
     ("we're now 9, not 8", HeadCount(9, True)),
     ("there are 30 engineers but 6 are remote, so it'd be 24 people", HeadCount(24, True)),
     ("the 3 partners plus me, so 4 in total", HeadCount(4, True)),
     ("we're between 10 and 12 depending on the day, let's plan for 11", HeadCount(11, True)),
     ("me + 2", HeadCount(3, False))],
)  # fmt: skip
def test_settled_counts_named_members_and_groups(text: str, count: HeadCount) -> None:
    assert count_people(text) == count


@pytest.mark.parametrize("text", ["so 2 headshots please", "plan for 3pm", "my team and I", "it'd be 4 looks", "book for 10am"])
def test_numbers_that_are_not_a_party(text: str) -> None:
    assert count_people(text) is None


def test_people_at_work_are_colleagues() -> None:
    assert count_people("3 people from the office") == HeadCount(3, True)


@pytest.mark.parametrize(("text", "use"), [("a podcast cover", "speaking"), ("a new profile pic for work stuff", "linkedin"),
                                           ("soy actriz y necesito fotos para mi agencia", "acting"),
                                           ("para la agencia inmobiliaria", "personal_brand"),
                                           ("We're a family of five and want a portrait", "other")])  # fmt: skip
def test_uses_in_more_words(text: str, use: str, content: ContentPack) -> None:
    assert find_use(text, content.intake) == use


# -- scope of a refusal, and questions that stay questions ----------------------------------------------
def test_a_refused_part_leaves_the_days_after_it_offered(content: ContentPack) -> None:
    assert read("no mornings please, Thursday or Friday", content) == [
        "2026-12-10 thu afternoon", "2026-12-10 thu evening", "2026-12-11 fri afternoon", "2026-12-11 fri evening"]


def test_a_part_that_does_not_work_is_refused_not_the_day(content: ContentPack) -> None:
    assert read("Friday, evenings don't work", content) == ["2026-12-11 fri afternoon", "2026-12-11 fri morning"]


@pytest.mark.parametrize("text", ["Can I bring my dog on Thursday?", "Are you open on Saturdays?"])
def test_a_question_about_the_studio_on_a_day_stays_a_question(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize("text", ["I'm Senior Designer at Shopify", "I'm Vancouver Based and need a photo",
                                  "need pics asap\n\nthx", f"call {MARK} (cell)"])  # fmt: skip
def test_titles_descriptions_and_labels_are_not_names(text: str) -> None:
    assert find_name(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Tuesday next week, Thursday next week, ideally after 2", ["2026-12-15 tue afternoon 14:00-", "2026-12-17 thu afternoon 14:00-"]),
     ("Friday Dec 18 5-7pm", ["2026-12-18 fri evening 17:00-19:00"]),
     ("tomorrow 10?", ["2026-12-08 tue morning 10:00-"]),
     ("tomorrow 3 or 4 of us", ["2026-12-08 tue any"]),
     ("weekdays except Wednesday, afternoons", ["- mon afternoon", "- tue afternoon", "- thu afternoon", "- fri afternoon"]),
     ("any weekday but Friday, after 4", ["- mon afternoon 16:00-", "- tue afternoon 16:00-", "- wed afternoon 16:00-", "- thu afternoon 16:00-"]),
     ("not 5 of us, and we'd prefer Dec 30 now", ["2026-12-30 wed any"]),
     ("let's do Thursday instead of Wednesday, same time (11am)", ["2026-12-10 thu morning 11:00-"]),
     ("Happy Friday! Could I come Tuesday at 6 for an evening session?", ["2026-12-08 tue evening 18:00-"])],
)  # fmt: skip
def test_corrections_week_slots_ranges_and_one_window_per_time(text: str, expected: list[str], content: ContentPack) -> None:
    assert read(text, content) == expected


@pytest.mark.parametrize(
    ("text", "use"),
    [("Saw your Instagram and loved it! I need photos for my Hinge profile", "dating"),
     ("brand photos for my website and TikTok", "personal_brand"),
     ("a new photo for the website", "company_website")],
)  # fmt: skip
def test_the_studios_own_pages_are_not_uses_and_a_website_yields_to_a_named_use(
    text: str, use: str, content: ContentPack
) -> None:
    assert find_use(text, content.intake) == use


def test_a_couple_who_run_a_business_together_are_a_team() -> None:
    assert count_people("my husband and I run our own cafe and need a photo of the two of us") == HeadCount(2, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Christmas Eve has passed, so Monday the 28th?", ["2026-12-28 mon any"]),
     ("meet on the 3rd floor, Thursday the 17th", ["2026-12-17 thu any"]),
     ("our 10th anniversary party is done, the 22nd works", ["2026-12-22 tue any"])],
)  # fmt: skip
def test_days_gone_by_and_ordinals_that_are_not_dates(text: str, expected: list[str], content: ContentPack) -> None:
    assert read(text, content, now=datetime(2026, 12, 26, 10, 0, tzinfo=ZONE) if "Eve" in text else MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [("Kind regards,\n\nMaya Koh\nSenior Analyst, Fernwood Group", "Maya Koh"),
     ("Ravi Menon\nHead of Marketing\nBlue Pine Inc.\n\nHi, we need photos", "Ravi Menon"),
     ("Hi Jordan, Lena Ortiz here from Westside Dental. Need one photo", "Lena Ortiz"),
     ("From: Owen Hart <\x01>\nSubject: headshot", "Owen Hart"),
     ("--\nPriya Das\nProduct Manager", "Priya Das"), ("Cheers from Matías", "Matías"),
     ("Hi, Hana speaking. I'd like a photo", "Hana"), ("Sato Ken desu. Photo please", "Sato Ken"),
     ("Hello, Omar Farouk. I need a photo for LinkedIn.", "Omar Farouk"), ("cell \x01 / Kai", "Kai"),
     ("Mit freundlichen Grüßen, Lukas Brandt", "Lukas Brandt"), ("Salamat, Rina Cruz \x01", "Rina Cruz"),
     ("Thanks!\n\nA.K.", "A.K."), ("thanks, T. J. Rivera", "T. J. Rivera"), ("I am Chen Xiaoling.", "Chen Xiaoling"),
     ("hi im mia tran lol need a photo", "Mia Tran"), ("Booking for myself (Ana Ruiz) – a podcast cover", "Ana Ruiz"),
     ("Thanks - Rosa de la Vega \x01", "Rosa de la Vega")],
)  # fmt: skip
def test_signatures_headers_cues_after_the_name_and_more_sign_offs(text: str, name: str) -> None:
    assert find_name(text) == name


def test_subject_lines_and_phone_labels_are_not_names() -> None:
    assert find_name("Subject: Headshot inquiry – keynote\n\nHello, I need a photo.") is None
    assert find_name("Viele Grüße\nTel. \x01") is None


def test_a_bare_name_answer_may_explain_itself() -> None:
    assert read_name("Mei Lin — Lin is my family name") == "Mei Lin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Any Thursday works", ["- thu any"]), ("Sat ok?", ["2026-12-12 sat any"]),
     ("scratch Tuesday, can we do Wednesday afternoon?", ["2026-12-09 wed afternoon"]),
     ("for the 8 people on our team, any weekday but Friday", ["- mon any", "- tue any", "- wed any", "- thu any"])],
)  # fmt: skip
def test_any_weekday_short_days_scratched_days_and_counts_that_are_not_dates(
    text: str, expected: list[str], content: ContentPack
) -> None:
    assert read(text, content) == expected


@pytest.mark.parametrize(
    ("text", "phone"),
    [("0044 7700 900123 is my UK number", "+447700900123"), ("the 16th after 1. 604 555 0199", "+16045550199")],
)
def test_phones_dialled_with_00_and_after_a_sentence_ending_in_1(text: str, phone: str) -> None:
    assert find_phone(text) == phone


@pytest.mark.parametrize(
    ("text", "name"),
    [("Omar Aziz, LinkedIn photo, free Friday morning", "Omar Aziz"), ("Photo for my Hinge please. Mira 😊", "Mira"),
     ("Thursday is good. x Beth", "Beth"), ("Tuesday works! Alex (they/them)", "Alex"),
     ("Hey! Lea Roy - I need a photo for my agency", "Lea Roy"), ("It's for LinkedIn. — Jon P.", "Jon P."),
     ("sure! \x01, Nora", "Nora")],
)  # fmt: skip
def test_a_name_opening_the_message_emoji_pronouns_and_initials_after_it(text: str, name: str) -> None:
    assert find_name(text) == name


@pytest.mark.parametrize("text", ["Great Work, thanks", "LinkedIn Photo, Thursday morning", "Good Morning, I need a photo",
                                  "\x01, Thursday works", "2 x Headshots please"])  # fmt: skip
def test_capitalised_words_opening_a_message_are_not_names(text: str) -> None:
    assert find_name(text) is None
