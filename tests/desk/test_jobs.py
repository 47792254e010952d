"""Scheduled desk work through the real Application's JobQueue: intake reminders, the daily digest, retention."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.desk.jobs import DIGEST_JOB, REMINDER_JOB, RETENTION_JOB, apply_retention
from bot.engine.vocabulary import Direction, LeadStatus
from db.base import utcnow
from db.leads import create_lead
from db.messages import recent_messages
from db.models import Conversation
from db.questions import create_question
from tests.conftest import ADMIN_CHAT_ID
from tests.desk.conftest import PROSPECT, DeskBot, buttons_of, new_text, say, shown, tap

REMINDER = "didn't get to finish"


async def _stall(bot: DeskBot, hours: float = 25) -> None:
    """A prospect starts an intake, answers one question and goes quiet for `hours`."""
    await say(bot.fake, PROSPECT, "/book", "What will the headshots be for")
    await say(bot.fake, PROSPECT, "for my LinkedIn", "When would suit you")
    await bot.age_conversation(PROSPECT, hours)


async def test_unfinished_intake_gets_one_reminder_that_resumes_it(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await _stall(desk_bot)
    await desk_bot.run_job(REMINDER_JOB)
    reminder = await fake.wait_for_text(PROSPECT, REMINDER)
    before = len(fake.texts(PROSPECT))
    tap(fake, PROSPECT, reminder, "Continue my request")
    await fake.wait_for_messages(PROSPECT, before + 1)
    asked = [t for t in fake.texts(PROSPECT) if "When would suit you" in t]
    assert len(asked) == 2  # asked again where it stopped
    await desk_bot.age_conversation(PROSPECT, 50)
    await desk_bot.run_job(REMINDER_JOB)
    await asyncio.sleep(0.1)
    assert sum(REMINDER in t for t in fake.texts(PROSPECT)) == 1
    async with desk_bot.svc.sessionmaker() as session:
        log = await recent_messages(session, PROSPECT, limit=50)
    assert any(m.direction is Direction.OUT and REMINDER in m.text for m in log)


async def test_a_fresh_intake_is_reminded_but_not_one_just_touched(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await _stall(desk_bot, hours=23)  # not yet due
    await desk_bot.run_job(REMINDER_JOB)
    await asyncio.sleep(0.1)
    assert not any(REMINDER in t for t in fake.texts(PROSPECT))
    await say(fake, PROSPECT, "/cancel", "dropped that request")
    await _stall(desk_bot)  # a second intake, due this time
    before = len(fake.texts(PROSPECT))
    await desk_bot.run_job(REMINDER_JOB)
    reminder = await new_text(fake, PROSPECT, before, REMINDER)
    assert list(buttons_of(reminder)) == ["Continue my request"]


async def test_an_intake_abandoned_long_ago_is_left_alone(desk_bot: DeskBot) -> None:
    await _stall(desk_bot, hours=24 * 9)  # e.g. the bot was down for a week
    await desk_bot.run_job(REMINDER_JOB)
    await asyncio.sleep(0.1)
    assert not any(REMINDER in t for t in desk_bot.fake.texts(PROSPECT))


async def test_reminders_can_be_turned_off(desk_bot_factory: Callable[..., DeskBot]) -> None:
    bot = desk_bot_factory(reminder_hours=0)
    await bot.start()
    await _stall(bot, hours=30)
    await bot.run_job(REMINDER_JOB)
    await asyncio.sleep(0.1)
    assert not any(REMINDER in t for t in bot.fake.texts(PROSPECT))


async def test_reminder_job_runs_on_its_own_schedule(desk_bot_factory: Callable[..., DeskBot]) -> None:
    bot = desk_bot_factory(reminder_hours=0.0001)  # a third of a second
    await bot.start()
    bot.fake.push_text(PROSPECT, "/book")
    await bot.fake.wait_for_text(PROSPECT, REMINDER, timeout=5)


async def test_digest_lists_leads_still_new_after_a_day_and_open_questions(desk_bot_factory: Callable[..., DeskBot]) -> None:
    bot = desk_bot_factory(digest_time="07:30", timezone="Europe/Berlin")
    await bot.start()
    old = utcnow() - timedelta(days=2)
    async with bot.svc.sessionmaker.begin() as session:
        await create_lead(session, chat_id=1, name="Waiting <Ann>", intended_use="linkedin", availability=[], created_at=old)
        await create_lead(session, chat_id=2, name="Fresh Bea", availability=[])
        handled = await create_lead(session, chat_id=3, name="Handled Cid", availability=[], created_at=old)
        handled.status = LeadStatus.CONTACTED
        await create_question(session, 4, "can I bring my parrot?")
    await bot.run_job(DIGEST_JOB)
    await bot.run_job(DIGEST_JOB)  # as a second worker would: still one digest a day
    digest = shown(await bot.fake.wait_for_text(ADMIN_CHAT_ID, "Daily digest"))
    assert len(bot.fake.sent_messages(ADMIN_CHAT_ID)) == 1
    assert "#1 Waiting <Ann> · LinkedIn" in digest and "Fresh Bea" not in digest and "Handled Cid" not in digest
    assert "#1 from chat 4: can I bring my parrot?" in digest
    assert bot.application.job_queue is not None
    [job] = bot.application.job_queue.get_jobs_by_name(DIGEST_JOB)
    assert job.next_t is not None
    local = job.next_t.astimezone(bot.settings.zone)
    assert (local.hour, local.minute) == (7, 30)


async def test_digest_with_nothing_to_list_is_not_sent(desk_bot: DeskBot) -> None:
    await desk_bot.run_job(DIGEST_JOB)
    await asyncio.sleep(0.1)
    assert desk_bot.fake.sent_messages(ADMIN_CHAT_ID) == []


async def _abandon(bot: DeskBot, chat_id: int = PROSPECT, days: float = 31) -> None:
    """A prospect gets as far as giving their email, then goes quiet for `days`."""
    await say(bot.fake, chat_id, "I'm Dana, LinkedIn, free next Thu morning, dana@example.com", "Anything else")
    await bot.age_conversation(chat_id, days * 24)


async def _facts(bot: DeskBot, chat_id: int = PROSPECT) -> tuple[dict[str, object], datetime]:
    async with bot.svc.sessionmaker() as session:
        row = await session.get(Conversation, chat_id)
    assert row is not None
    return row.state["facts"], row.updated_at


async def test_retention_job_clears_the_contact_details_of_intakes_abandoned_for_30_days(desk_bot: DeskBot) -> None:
    await _abandon(desk_bot)
    await desk_bot.run_job(RETENTION_JOB)
    facts, touched = await _facts(desk_bot)
    assert (facts["email"], facts["phone"], facts["name"]) == (None, None, "Dana")
    assert touched < utcnow() - timedelta(days=30)  # not "touched" by it: no reminder falls due again
    await desk_bot.run_job(REMINDER_JOB)
    await asyncio.sleep(0.1)
    assert not any(REMINDER in t for t in desk_bot.fake.texts(PROSPECT))


async def test_retention_keeps_an_intake_until_its_30th_day(desk_bot: DeskBot) -> None:
    await _abandon(desk_bot, days=29)
    assert await apply_retention(desk_bot.svc, utcnow()) == 0
    assert (await _facts(desk_bot))[0]["email"] == "dana@example.com"
    assert await apply_retention(desk_bot.svc, utcnow() + timedelta(days=1, minutes=1)) == 1  # the clock moves on
    assert (await _facts(desk_bot))[0]["email"] is None


async def test_retention_set_to_0_keeps_contact_details(desk_bot_factory: Callable[..., DeskBot]) -> None:
    bot = desk_bot_factory(abandoned_intake_days=0)
    await bot.start()
    await _abandon(bot, days=400)
    assert await apply_retention(bot.svc, utcnow()) == 0
    assert (await _facts(bot))[0]["email"] == "dana@example.com"
