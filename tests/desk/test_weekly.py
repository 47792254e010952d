"""The weekly desk digest through the real Application's JobQueue: a funnel picture and its figures as text."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.desk.jobs import WEEKLY_DAYS, WEEKLY_JOB
from bot.engine.vocabulary import LeadStatus
from db.leads import create_lead
from db.questions import create_question
from tests.conftest import ADMIN_CHAT_ID
from tests.desk.conftest import PROSPECT, DeskBot, say

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def _a_week(bot: DeskBot) -> None:
    """One prospect starts a booking request; two leads were confirmed, one booked; three open questions, two alike."""
    await say(bot.fake, PROSPECT, "/book", "What will the headshots be for")
    async with bot.svc.sessionmaker.begin() as session:
        await create_lead(session, chat_id=1, name="Ann", availability=[])
        booked = await create_lead(session, chat_id=2, name="Bea", availability=[])
        booked.status = LeadStatus.BOOKED
        await create_question(session, 5, "Can I bring my dog?")
        await create_question(session, 6, "can i bring my dog?")
        await create_question(session, 7, "Do you shoot outdoors?")


async def test_weekly_digest_sends_one_funnel_picture_with_its_figures_as_text(desk_bot: DeskBot) -> None:
    await _a_week(desk_bot)
    await desk_bot.run_job(WEEKLY_JOB)
    await desk_bot.run_job(WEEKLY_JOB)  # as a second worker would: still one digest a week
    photo = await desk_bot.fake.wait_for_call("sendPhoto")
    await asyncio.sleep(0.1)  # a second photo, were one coming, would be here by now
    assert len(desk_bot.fake.calls_to("sendPhoto")) == 1 and photo.params["chat_id"] == ADMIN_CHAT_ID
    assert photo.files["photo"].startswith(PNG_SIGNATURE)
    caption = str(photo.result["caption"])
    assert "<b>" not in caption  # sent as HTML, like every desk message
    for line in ["Weekly digest", "Started: 1", "Asked to book: 1", "Confirmed: 2", "Booked: 1",
                 "2× Can I bring my dog?", "1× Do you shoot outdoors?"]:  # fmt: skip
        assert line in caption, (line, caption)
    assert not any("Weekly digest" in t for t in desk_bot.fake.texts(ADMIN_CHAT_ID))  # the caption carries the figures


async def test_weekly_digest_is_scheduled_for_mondays_at_the_digest_time(desk_bot: DeskBot) -> None:
    assert desk_bot.application.job_queue is not None
    [job] = desk_bot.application.job_queue.get_jobs_by_name(WEEKLY_JOB)
    assert job.next_t is not None and WEEKLY_DAYS == (1,)
    local, at = job.next_t.astimezone(desk_bot.settings.zone), desk_bot.settings.digest_at
    assert local.isoweekday() == 1 and (local.hour, local.minute) == (at.hour, at.minute)


def test_without_matplotlib_the_weekly_digest_has_no_picture() -> None:
    script = (
        "import sys; sys.modules['matplotlib'] = None\n"  # as if the charts extra were not installed
        "from bot.desk.weekly import CHARTS, WeeklyFigures, funnel_png\n"
        "assert not CHARTS and funnel_png(None, WeeklyFigures(1, 1, 1, 0, [])) is None\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", script], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)),
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
