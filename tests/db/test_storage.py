"""The conversation service against each database: state survives, races are caught, leads are atomic."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.engine.events import Command, Incoming, Text
from bot.engine.vocabulary import LeadStatus
from bot.services import Services, build_services
from db.leads import create_lead, list_leads
from db.messages import recent_messages
from db.models import Conversation, Lead
from tests.conftest import make_settings
from tests.engine.helpers import DANA

MULTI_FACT = "I'm Dana, LinkedIn, free next Thu morning, dana@example.com"


def _in(chat_id: int, event: object) -> Incoming:
    return Incoming(chat_id, DANA, event, datetime(2026, 11, 29, 20, 0, tzinfo=UTC))  # type: ignore[arg-type]


async def _services(url: str) -> Services:
    return build_services(make_settings(url))


async def test_state_survives_a_new_process(database_url: str) -> None:
    first = await _services(database_url)
    await first.conversations.handle(_in(7, Command("book")))
    await first.conversations.handle(_in(7, Text("for my LinkedIn")))
    await first.close()
    second = await _services(database_url)  # a restart: nothing kept in memory
    outcome = await second.conversations.handle(_in(7, Text("next Tuesday afternoon")))
    async with second.sessionmaker() as session:
        row = await session.get(Conversation, 7)
    await second.close()
    assert row is not None and row.step == "name"
    assert row.state["facts"]["use"] == "linkedin"
    assert "What name" in outcome.replies[-1].text


async def test_confirm_writes_lead_and_state_together(database_url: str) -> None:
    services = await _services(database_url)
    await services.conversations.handle(_in(8, Text(MULTI_FACT)))
    await services.conversations.handle(_in(8, Text("skip")))
    outcome = await services.conversations.handle(_in(8, Text("confirm")))
    async with services.sessionmaker() as session:
        leads = await list_leads(session)
        row = await session.get(Conversation, 8)
        log = await recent_messages(session, 8)
    await services.close()
    assert outcome.lead is not None and [lead.id for lead in leads] == [outcome.lead.id]
    assert row is not None and row.last_lead_id == outcome.lead.id and row.step == "idle"
    assert [m.direction.value for m in log][:2] == ["in", "out"] and log[0].text == MULTI_FACT


async def test_concurrent_events_for_one_chat_are_serialised(database_url: str) -> None:
    services = await _services(database_url)
    await services.conversations.handle(_in(9, Text(MULTI_FACT)))
    await services.conversations.handle(_in(9, Text("skip")))
    results = await asyncio.gather(*(services.conversations.handle(_in(9, Text("confirm"))) for _ in range(4)))
    async with services.sessionmaker() as session:
        count = (await session.execute(select(func.count(Lead.id)).where(Lead.chat_id == 9))).scalar_one()
    await services.close()
    assert count == 1
    assert sum(r.lead is not None for r in results) == 1


async def test_leads_are_listed_newest_first_and_filtered(database_url: str) -> None:
    services = await _services(database_url)
    async with services.sessionmaker.begin() as session:
        for name in ("A", "B"):
            await create_lead(session, chat_id=1, name=name, availability=[])
    async with services.sessionmaker() as session:
        names = [lead.name for lead in await list_leads(session)]
        booked = await list_leads(session, LeadStatus.BOOKED)
    await services.close()
    assert names == ["B", "A"] and booked == []


async def test_lead_keeps_the_prep_brief_sent_to_the_prospect(database_url: str) -> None:
    services = await _services(database_url)
    await services.conversations.handle(_in(11, Text("acting headshots, Dec 12, I'm Dana, dana@example.com")))
    await services.conversations.handle(_in(11, Text("skip")))
    outcome = await services.conversations.handle(_in(11, Text("confirm")))
    async with services.sessionmaker() as session:
        [lead] = await list_leads(session)
    await services.close()
    assert lead.prep_brief is not None and "agency" in lead.prep_brief
    assert "agency" in outcome.replies[-1].text


async def test_dropped_postgresql_connection_is_retried_and_the_lead_saved_once(database_url: str) -> None:
    import pytest
    from sqlalchemy import text

    if not database_url.startswith("postgresql"):
        pytest.skip("terminating a server connection is a PostgreSQL behaviour")
    services = await _services(database_url)
    await services.conversations.handle(_in(12, Text(MULTI_FACT)))
    await services.conversations.handle(_in(12, Text("skip")))
    async with services.engine.connect() as connection:  # kill every pooled connection of this database
        await connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ))  # fmt: skip
    outcome = await services.conversations.handle(_in(12, Text("confirm")))
    async with services.sessionmaker() as session:
        leads = await list_leads(session)
    await services.close()
    assert outcome.lead is not None and [lead.chat_id for lead in leads] == [12]


async def test_retention_purges_old_message_logs_and_delivered_journal_entries(database_url: str) -> None:
    from datetime import timedelta

    from bot.telegram.outbox import purge_old_data
    from db.base import utcnow
    from db.models import Message, ProcessedUpdate

    services = build_services(make_settings(database_url, retention_days=30))
    await services.conversations.handle(Incoming(13, DANA, Text("hello"), datetime.now(UTC), update_id=501))  # its one reply: handed over
    async with services.sessionmaker.begin() as session:  # age everything by 40 days
        for row in (await session.execute(select(Message))).scalars():
            row.created_at = utcnow() - timedelta(days=40)
        for row in (await session.execute(select(ProcessedUpdate))).scalars():
            row.created_at = utcnow() - timedelta(days=40)
    await services.conversations.handle(Incoming(13, DANA, Text("still here?"), datetime.now(UTC)))

    class Job:  # what python-telegram-bot's JobQueue hands a job callback, as far as purge_old_data reads it
        def __init__(self, services: Services) -> None:
            self.services = services

    await purge_old_data(Job(services))  # type: ignore[arg-type]
    async with services.sessionmaker() as session:
        texts = [m.text for m in await recent_messages(session, 13)]
        journal = (await session.execute(select(ProcessedUpdate))).scalars().all()
    await services.close()
    assert "hello" not in texts and "still here?" in texts
    assert journal == []


async def test_text_that_looks_like_sql_is_stored_verbatim(database_url: str) -> None:
    services = await _services(database_url)
    await services.conversations.handle(_in(14, Text(MULTI_FACT)))
    await services.conversations.handle(_in(14, Text("Robert'); DROP TABLE leads;-- <b>hi</b>")))
    await services.conversations.handle(_in(14, Text("confirm")))
    async with services.sessionmaker() as session:
        [lead] = await list_leads(session)
    await services.close()
    assert lead.notes == "Robert'); DROP TABLE leads;-- <b>hi</b>"


async def _journal(services: Services) -> dict[int, tuple[int, bool]]:
    from db.models import ProcessedUpdate

    async with services.sessionmaker() as session:
        rows = (await session.execute(select(ProcessedUpdate))).scalars().all()
    return {row.update_id: (row.sent_count, row.sent_at is not None) for row in rows}


async def test_a_redelivered_update_whose_reply_was_handed_over_sends_nothing_after_a_restart(database_url: str) -> None:
    from dataclasses import replace

    from db.base import utcnow
    from db.journal import undelivered

    first = await _services(database_url)
    outcome = await first.conversations.handle(replace(_in(22, Text("hello")), update_id=811))
    await first.close()  # killed right after the commit: nothing else was written
    second = await _services(database_url)
    replay = await second.conversations.handle(replace(_in(22, Text("hello")), update_id=811))
    async with second.sessionmaker() as session:
        owed = await undelivered(session, second.conversations.bot_id, utcnow())
    await second.close()
    assert len(outcome.replies) == 1 and outcome.handed == 1
    assert replay.duplicate and replay.replies == ()
    assert owed == []


async def test_hand_over_marks_noted_together_are_all_committed_and_a_given_back_reply_is_owed_again(database_url: str) -> None:
    from dataclasses import replace

    services = await _services(database_url)
    for update_id in (801, 802, 803):
        await services.conversations.handle(replace(_in(21, Text("hello")), update_id=update_id))
    marks = services.conversations.hand_overs
    await asyncio.gather(marks.record(801, 0, done=False), marks.record(802, 0, done=False), marks.record(803, 1, done=True))
    written = await _journal(services)
    replay = await services.conversations.handle(replace(_in(21, Text("hello")), update_id=801))
    await services.close()
    assert written == {801: (0, False), 802: (0, False), 803: (1, True)}
    assert replay.duplicate and replay.first == 0 and len(replay.replies) == 1


async def test_another_bot_with_the_same_update_id_is_not_taken_for_a_redelivery(database_url: str) -> None:
    from dataclasses import replace

    from db.base import utcnow
    from db.journal import undelivered

    old = build_services(make_settings(database_url, telegram_bot_token="111111:OLD-bot-token"))
    new = build_services(make_settings(database_url, telegram_bot_token="222222:NEW-bot-token"))
    first = await old.conversations.handle(replace(_in(31, Text("hello")), update_id=901))
    await old.conversations.hand_over(901, 0, done=False)  # the old bot's reply given back: owed by the old bot
    second = await new.conversations.handle(replace(_in(32, Text("hello")), update_id=901))
    async with new.sessionmaker() as session:
        owed_by_new = await undelivered(session, new.conversations.bot_id, utcnow())
    await old.close()
    await new.close()
    assert not first.duplicate and not second.duplicate and len(second.replies) == 1
    assert owed_by_new == []  # the new bot does not send what the old one owes


async def test_journal_rows_from_before_they_named_their_bot_are_adopted_at_start(database_url: str) -> None:
    from dataclasses import replace

    from alembic import command
    from sqlalchemy import text

    from bot.services import alembic_config

    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0010")
    services = build_services(make_settings(database_url, telegram_bot_token="333333:THE-bot-token"))
    async with services.engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO processed_updates (update_id, chat_id, replies, version, sent_count, created_at, sent_at) "
            "VALUES (951, 33, '[]', 1, 0, '2026-12-07 10:00:00+00:00', '2026-12-07 10:00:01+00:00')"
        ))  # fmt: skip
    await services.engine.dispose()
    await asyncio.to_thread(command.upgrade, config, "head")
    await services.conversations.adopt_journal()
    replay = await services.conversations.handle(replace(_in(33, Text("hello")), update_id=951))
    await services.close()
    assert replay.duplicate and replay.replies == ()
