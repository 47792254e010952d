"""The desk's query functions against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.engine.events import Command, Incoming, Text
from bot.engine.vocabulary import DeskMessageKind, LeadStatus, QuestionKind
from bot.services import Services, build_services
from db.base import utcnow
from db.desk import (
    OPEN_STATUSES,
    add_lead_note,
    find_leads,
    forget_prospect,
    get_desk_message,
    last_status_events,
    lead_cards,
    lead_events,
    open_questions_of_chat,
    page_of_leads,
    set_lead_status,
    track_desk_message,
    waiting_leads,
)
from db.funnel import (
    claim_job_run,
    claim_reminder,
    count_conversations_since,
    intakes_by_source_since,
    lead_outcomes_since,
    stalled_intakes,
)
from db.leads import create_lead
from db.learned import create_learned_answer, learned_for_question, list_learned_answers
from db.models import Conversation
from db.questions import answer_question, create_question, top_open_questions
from tests.conftest import make_settings
from tests.engine.helpers import DANA


def _in(chat_id: int, event: Command | Text) -> Incoming:
    return Incoming(chat_id, DANA, event, utcnow())


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    """Services on a migrated, empty database of each kind."""
    built = build_services(make_settings(database_url))
    yield built
    await built.close()


async def _lead(services: Services, name: str = "Dana", **fields: object) -> int:
    async with services.sessionmaker.begin() as session:
        lead = await create_lead(session, chat_id=fields.pop("chat_id", 42), name=name, availability=[], **fields)
        return lead.id


async def test_status_change_records_who_when_old_and_new(services: Services) -> None:
    lead_id = await _lead(services)
    async with services.sessionmaker.begin() as session:
        _, first = await set_lead_status(session, lead_id, LeadStatus.CONTACTED, "Anna", "called her")
        _, again = await set_lead_status(session, lead_id, LeadStatus.CONTACTED, "Anna")
        await add_lead_note(session, lead_id, "Ben", "prefers mornings")
    async with services.sessionmaker() as session:
        events = await lead_events(session, lead_id)
        last = await last_status_events(session, [lead_id])
    assert first is not None and again is None
    assert [(e.actor, e.old_status, e.new_status, e.note) for e in events] == [
        ("Anna", LeadStatus.NEW, LeadStatus.CONTACTED, "called her"),
        ("Ben", LeadStatus.CONTACTED, LeadStatus.CONTACTED, "prefers mornings"),
    ]
    assert last[lead_id].id == events[0].id  # a note is not a status change


async def test_status_change_of_a_missing_lead_does_nothing(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        assert await set_lead_status(session, 99, LeadStatus.BOOKED, "cli") == (None, None)
        assert await add_lead_note(session, 99, "cli", "x") is None


async def test_desk_messages_remember_what_they_are_about(services: Services) -> None:
    lead_id = await _lead(services, chat_id=4242)
    async with services.sessionmaker.begin() as session:
        await track_desk_message(session, 900001, 10, DeskMessageKind.CARD, 4242, lead_id)
        await track_desk_message(session, 900002, 10, DeskMessageKind.CARD, 4242, lead_id)
        await track_desk_message(session, 900001, 11, DeskMessageKind.NOTICE, 4242, lead_id)
    async with services.sessionmaker() as session:
        cards = await lead_cards(session, lead_id)
        notice = await get_desk_message(session, 900001, 11)
        missing = await get_desk_message(session, 900001, 12)
    assert [(c.chat_id, c.message_id) for c in cards] == [(900001, 10), (900002, 10)]
    assert notice is not None and notice.kind is DeskMessageKind.NOTICE and missing is None


async def test_open_leads_are_paged_newest_first(services: Services) -> None:
    for name, status in (("A", LeadStatus.NEW), ("B", LeadStatus.BOOKED), ("C", LeadStatus.QUOTED), ("D", LeadStatus.NEW)):
        lead_id = await _lead(services, name)
        async with services.sessionmaker.begin() as session:
            await set_lead_status(session, lead_id, status, "t")
    async with services.sessionmaker() as session:
        first, total = await page_of_leads(session, OPEN_STATUSES, 0, 2)
        second, _ = await page_of_leads(session, OPEN_STATUSES, 2, 2)
        booked, booked_total = await page_of_leads(session, (LeadStatus.BOOKED,), 0, 2)
    assert [lead.name for lead in first] == ["D", "C"] and [lead.name for lead in second] == ["A"] and total == 3
    assert [lead.name for lead in booked] == ["B"] and booked_total == 1


async def test_find_matches_name_email_phone_and_username_literally(services: Services) -> None:
    await _lead(services, "Dana Lee", email="dana@example.com", phone="+16045550123", telegram_username="dana_lee")
    await _lead(services, "Sam 100%", email="sam@example.com")
    async with services.sessionmaker() as session:
        queries = ("lee", "DANA@", "604-555", "@dana_", "100%", "0%", "%")
        found = {q: [lead.name for lead in await find_leads(session, q)] for q in queries}
    assert found == {"lee": ["Dana Lee"], "DANA@": ["Dana Lee"], "604-555": ["Dana Lee"], "@dana_": ["Dana Lee"],
                     "100%": ["Sam 100%"], "0%": ["Sam 100%"], "%": ["Sam 100%"]}  # fmt: skip


async def test_waiting_leads_are_new_and_older_than_the_cutoff(services: Services) -> None:
    old = utcnow() - timedelta(days=2)
    await _lead(services, "old", created_at=old)
    await _lead(services, "recent")
    contacted = await _lead(services, "old contacted", created_at=old)
    async with services.sessionmaker.begin() as session:
        await set_lead_status(session, contacted, LeadStatus.CONTACTED, "t")
    async with services.sessionmaker() as session:
        waiting = await waiting_leads(session, utcnow() - timedelta(days=1))
    assert [lead.name for lead in waiting] == ["old"]


async def test_intake_starts_are_counted_with_their_source(services: Services) -> None:
    since = utcnow() - timedelta(minutes=1)
    await services.conversations.handle(_in(1, Command("start", "website")))
    await services.conversations.handle(_in(1, Command("book")))
    await services.conversations.handle(_in(1, Command("cancel")))
    await services.conversations.handle(_in(1, Command("book")))  # a second intake of the same chat
    await services.conversations.handle(_in(2, Text("I'm Sam, LinkedIn, sam@example.com")))  # starts in one message
    await services.conversations.handle(_in(3, Text("hello")))  # a conversation, no intake
    async with services.sessionmaker() as session:
        assert await intakes_by_source_since(session, since) == {"website": 2, None: 1}
        assert await count_conversations_since(session, since) == 3
        assert await intakes_by_source_since(session, utcnow() + timedelta(minutes=1)) == {}


async def test_lead_outcomes_know_contacted_and_booked(services: Services) -> None:
    booked = await _lead(services, "b", intended_use="linkedin", source="website")
    lost = await _lead(services, "l", intended_use="dating")
    await _lead(services, "n")
    async with services.sessionmaker.begin() as session:
        await set_lead_status(session, booked, LeadStatus.QUOTED, "t")
        await set_lead_status(session, booked, LeadStatus.BOOKED, "t")
        await set_lead_status(session, lost, LeadStatus.CONTACTED, "t")
        await set_lead_status(session, lost, LeadStatus.LOST, "t")
    async with services.sessionmaker() as session:
        outcomes = await lead_outcomes_since(session, utcnow() - timedelta(days=7))
    assert [(o.intended_use, o.source, o.contacted, o.booked) for o in outcomes] == [
        ("linkedin", "website", True, True), ("dating", None, True, False), (None, None, False, False)]  # fmt: skip


async def test_a_stalled_intake_is_claimed_once_without_touching_its_version(services: Services) -> None:
    await services.conversations.handle(_in(5, Command("book")))
    now = utcnow()
    async with services.sessionmaker() as session:
        [due] = await stalled_intakes(session, now + timedelta(hours=1), now - timedelta(days=1))
        version, updated = due.version, due.updated_at
        assert await stalled_intakes(session, now - timedelta(hours=1), now - timedelta(days=1)) == []
    async with services.sessionmaker.begin() as session:
        assert await claim_reminder(session, 5, version, now) is True
        assert await claim_reminder(session, 5, version, now) is False
    async with services.sessionmaker() as session:
        row = await session.get(Conversation, 5)
        assert await stalled_intakes(session, now + timedelta(hours=1), now - timedelta(days=1)) == []
    assert row is not None and (row.version, row.updated_at, row.reminded_at is not None) == (version, updated, True)


async def test_a_claim_loses_when_the_prospect_moved_on(services: Services) -> None:
    await services.conversations.handle(_in(6, Command("book")))
    async with services.sessionmaker() as session:
        row = await session.get(Conversation, 6)
        assert row is not None
        version = row.version
    await services.conversations.handle(_in(6, Text("for LinkedIn")))
    async with services.sessionmaker.begin() as session:
        assert await claim_reminder(session, 6, version, utcnow()) is False


async def test_learned_answers_are_kept_once_per_question(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        question = await create_question(session, 4242, "will my parrot be welcome?")
        await answer_question(session, question.id, "Yes.")
        await create_learned_answer(session, question.text, "Yes.", "Anna", question.id)
    with pytest.raises(IntegrityError):
        async with services.sessionmaker.begin() as session:
            await create_learned_answer(session, question.text, "Again.", "Anna", question.id)
    async with services.sessionmaker() as session:
        [row] = await list_learned_answers(session)
        assert (await learned_for_question(session, question.id)) == row
        assert await open_questions_of_chat(session, 4242) == []
    assert (row.questions, row.answer, row.title, row.actor) == ([question.text], "Yes.", question.text, "Anna")


async def test_forgetting_a_prospect_removes_the_desk_rows_about_them(services: Services) -> None:
    await services.conversations.handle(_in(4242, Command("book")))
    lead_id = await _lead(services, chat_id=4242)
    other = await _lead(services, chat_id=5151)
    async with services.sessionmaker.begin() as session:
        await set_lead_status(session, lead_id, LeadStatus.CONTACTED, "Anna", "called Dana")
        await set_lead_status(session, other, LeadStatus.CONTACTED, "Anna")
        await track_desk_message(session, 900001, 1, DeskMessageKind.CARD, 4242, lead_id)
        await track_desk_message(session, 900001, 2, DeskMessageKind.NOTICE, 4242)
        await forget_prospect(session, 4242)
    async with services.sessionmaker() as session:
        assert await lead_events(session, lead_id) == [] and len(await lead_events(session, other)) == 1
        assert await get_desk_message(session, 900001, 1) is None and await get_desk_message(session, 900001, 2) is None
        assert await intakes_by_source_since(session, utcnow() - timedelta(days=1)) == {}


async def test_a_job_run_is_claimed_once_per_key(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        assert await claim_job_run(session, "digest:2026-11-29") is True
    async with services.sessionmaker.begin() as session:
        assert await claim_job_run(session, "digest:2026-11-29") is False
        assert await claim_job_run(session, "digest:2026-11-30") is True


async def test_top_open_questions_counts_the_same_words_in_any_case_and_leaves_out_answered_ones(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        for chat_id, text in [(1, "Do you shoot outdoors?"), (2, "Can I bring my dog?"), (3, "can i bring my DOG?"),
                              (4, "Is there parking?"), (5, "Is there parking?")]:  # fmt: skip
            await create_question(session, chat_id, text)
        answered = await create_question(session, 6, "Is there parking?")
        await create_question(session, 7, "Do you do weddings?", kind=QuestionKind.INQUIRY)
    async with services.sessionmaker.begin() as session:
        await answer_question(session, answered.id, "Yes, two spots.")
        top = await top_open_questions(session, 2)
    assert [count for _, count in top] == [2, 2] and top[0][0].casefold() == "can i bring my dog?"
    assert top[1] == ("Is there parking?", 2)
