"""The intake state machine, driven directly: no Telegram, no database."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content import ContentPack
from bot.engine.events import ButtonPress, ContactShared, Media, Text
from bot.engine.state import Window
from bot.engine.vocabulary import Step
from tests.engine.helpers import Chat

MULTI_FACT = "Hi, I'm Dana, need a LinkedIn photo, free next Thursday morning, dana@example.com"


def test_intake_multi_fact_message_keeps_every_fact_and_asks_only_whats_missing(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.send(MULTI_FACT)
    facts = chat.state.facts
    assert (facts.use, facts.name, facts.email) == ("linkedin", "Dana", "dana@example.com")
    assert facts.availability == [Window(date=date(2026, 12, 3), weekday="thu", part_of_day="morning")]
    assert chat.state.step is Step.NOTES


def test_intake_multi_fact_message_before_book_starts_the_intake(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send(MULTI_FACT)
    assert chat.state.step is Step.NOTES
    assert chat.state.facts.use == "linkedin"


def test_intake_by_buttons_reaches_summary_and_confirm_creates_lead(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/start website")
    chat.tap("Book a session")
    chat.tap("LinkedIn")
    chat.tap("Weekday mornings")
    chat.tap("Dana Lee")
    assert chat.state.step is Step.CONTACT
    assert chat.last.replies[-1].request_contact
    chat.send(ContactShared("16045550123", is_own=True))
    chat.tap("Skip")
    assert chat.state.step is Step.CONFIRM
    assert "Dana Lee" in chat.texts() and "+16045550123" in chat.texts()
    chat.tap("Confirm")
    assert len(chat.leads) == 1
    confirmed = chat.leads[0]
    assert confirmed.source == "website"
    assert confirmed.facts.phone == "+16045550123"
    assert [w.weekday for w in confirmed.facts.availability] == ["mon", "tue", "wed", "thu", "fri"]
    assert chat.state.step is Step.IDLE and chat.state.facts.use is None


def test_intake_contact_keyboard_is_removed_once_contact_is_given(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.send("LinkedIn, next Tuesday afternoon, I'm Dana")
    assert chat.state.step is Step.CONTACT
    chat.send("dana@example.com")
    assert chat.last.replies[0].remove_keyboard


def test_intake_typed_button_label_works_like_a_tap(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.send("company website")
    assert chat.state.facts.use == "company_website"
    chat.send("weekends")
    assert [w.weekday for w in chat.state.facts.availability] == ["sat", "sun"]


def test_intake_team_use_asks_for_people(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.send("headshots for our team page")
    assert chat.state.step is Step.PEOPLE
    chat.send("about 12")
    assert chat.state.facts.people == 12
    assert chat.state.step is Step.AVAILABILITY


def test_intake_non_team_use_skips_people(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.tap("Dating profile")
    assert chat.state.step is Step.AVAILABILITY


def test_intake_past_date_is_refused_politely(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.tap("LinkedIn")
    chat.send("Nov 2")
    assert "passed" in chat.texts()
    assert chat.state.step is Step.AVAILABILITY and chat.state.facts.availability == []


def test_intake_two_unreadable_answers_offer_skip_or_leave(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.tap("LinkedIn")
    chat.send("blorp")
    assert "example" in chat.texts().lower()
    chat.send("zzzz qqq")
    assert chat.buttons() == ["Skip", "Leave the booking"]
    chat.tap("Skip")
    assert chat.state.step is Step.NAME


def test_intake_question_mid_intake_is_answered_then_resumes(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.tap("LinkedIn")
    chat.send("how much does a session cost?")
    texts = chat.texts()
    assert "CAD" in texts
    assert "When would suit you" in texts
    assert chat.state.step is Step.AVAILABILITY


def test_intake_cancel_saves_nothing(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.send(MULTI_FACT)
    chat.send("/cancel")
    assert chat.state.step is Step.IDLE
    assert chat.state.facts.email is None
    assert chat.leads == []


def test_intake_edit_from_summary_changes_one_fact(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send(MULTI_FACT)
    chat.send("skip")
    chat.tap("Edit")
    chat.tap("Contact")
    chat.send("dana.lee@example.org")
    assert chat.state.step is Step.CONFIRM
    assert chat.state.facts.email == "dana.lee@example.org"
    assert chat.state.facts.use == "linkedin"


def test_intake_correction_typed_at_summary_is_applied(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send(MULTI_FACT)
    chat.send("skip")
    chat.send("actually make it next Friday afternoon")
    assert chat.state.step is Step.CONFIRM
    assert chat.state.facts.availability == [Window(date=date(2026, 12, 4), weekday="fri", part_of_day="afternoon")]


def test_intake_typed_yes_confirms(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send(MULTI_FACT)
    chat.send("no notes")
    chat.send("yes")
    assert len(chat.leads) == 1


def test_button_from_an_old_message_changes_nothing(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    old_version = chat.state.version
    chat.tap("LinkedIn")
    decision = chat.send(ButtonPress("use", "dating", old_version))
    assert decision.changed is False and decision.replies == ()
    assert decision.notice
    assert chat.state.facts.use == "linkedin"


def test_double_tap_on_confirm_creates_one_lead(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send(MULTI_FACT)
    chat.send("skip")
    version = chat.state.version
    chat.send(ButtonPress("confirm", "", version))
    chat.send(ButtonPress("confirm", "", version))
    assert len(chat.leads) == 1


def test_media_gets_one_polite_reply_and_changes_nothing(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    before = chat.state.model_copy(deep=True)
    decision = chat.send(Media("sticker"))
    assert decision.changed is False
    assert len(decision.replies) == 1 and "text" in chat.texts()
    assert chat.state == before


def test_user_text_is_escaped_in_replies(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.tap("LinkedIn")
    chat.tap("Weekends")
    chat.send("Bobby Tables")
    chat.send("bobby@example.com")
    chat.send("<b>no</b> tie & <script>")
    summary = chat.last.replies[-1].text
    assert "&lt;b&gt;no&lt;/b&gt; tie &amp; &lt;script&gt;" in summary
    assert chat.state.facts.notes == "<b>no</b> tie & <script>"


def test_message_over_telegrams_limit_is_declined_and_changes_nothing(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    decision = chat.send(Text("x" * 4097))
    assert decision.changed is False
    assert "shorter" in chat.texts()


@pytest.mark.parametrize("step_answers", [[], ["LinkedIn", "next Tuesday"], ["LinkedIn", "next Tuesday", "Dana", "dana@example.com"]])
def test_over_long_answer_is_asked_again_not_stored(step_answers: list[str], content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    for answer in step_answers:
        chat.send(answer)
    step = chat.state.step
    chat.send(Text("x" * 4096))
    assert "shorter" in chat.texts() and chat.state.step is step
    assert chat.state.facts.use_text is None or len(chat.state.facts.use_text) <= 500


def test_question_when_idle_is_answered_from_the_pack(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("what should I wear?")
    assert chat.state.step is Step.IDLE
    assert "solid" in chat.texts().lower()


def test_unknown_command_is_explained(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/frobnicate")
    assert "/help" in chat.texts()


def test_unanswerable_question_is_recorded_for_the_photographer(content: ContentPack) -> None:
    from bot.engine.events import QuestionUnanswered

    chat = Chat(content)
    decision = chat.send("will my parrot be welcome?")
    assert decision.effects == (QuestionUnanswered("will my parrot be welcome?"),)
    assert "passed it on" in chat.texts()


def test_message_after_a_confirmed_lead_goes_to_the_photographer(content: ContentPack) -> None:
    from bot.engine.events import ForwardToAdmins

    chat = Chat(content)
    chat.send(MULTI_FACT)
    chat.send("skip")
    chat.send("confirm")
    chat.state.last_lead_id = 1  # the service sets it when it saves the lead
    decision = chat.send("Could we make it 10am instead of 9?")
    assert ForwardToAdmins("Could we make it 10am instead of 9?") in decision.effects


def test_confirmed_lead_gets_the_prep_brief_for_its_use(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.send("headshots for our team, 14 people, next Tuesday morning, I'm Dana, dana@example.com")
    chat.send("skip")
    chat.send("confirm")
    brief = chat.last.replies[-1].text
    assert "12×12 ft" in brief and "contact person" in brief and "5 to 10 minutes" in brief


def test_invisible_characters_do_not_hide_facts(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    chat.send("\u200fLinked\u200bIn\u202c")
    assert chat.state.facts.use == "linkedin"


def test_right_to_left_and_emoji_text_is_kept_verbatim_as_notes(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send(MULTI_FACT)
    chat.send("שלום 📸 <script>alert(1)</script>")
    assert chat.state.facts.notes == "שלום 📸 <script>alert(1)</script>"
    assert "&lt;script&gt;" in chat.last.replies[-1].text


def test_invisible_only_message_changes_nothing(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    assert chat.send(Text("\u200b\u200b")).changed is False


def test_prospect_who_already_wrote_their_details_is_not_told_to_write_them_in_one_message(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send(MULTI_FACT)
    assert content.messages.intake_intro_known in chat.texts() and "one message" not in chat.texts()


def test_book_command_explains_that_everything_can_go_in_one_message(content: ContentPack) -> None:
    chat = Chat(content)
    chat.send("/book")
    assert "one message" in chat.texts()
