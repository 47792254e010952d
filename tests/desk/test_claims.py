"""A desk action and its claim share one transaction: a failed action leaves the tap to retry, a done one is done once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.desk.service import Actor, AlreadyDone, Claim, DeskService
from bot.engine.vocabulary import LeadStatus
from bot.services import Services, build_services
from db.leads import create_lead
from db.models import Lead, ProcessedUpdate
from tests.conftest import make_settings


class _Broken(Exception):
    """The action's work failed half way."""


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    """Services on a migrated, empty database of each kind."""
    built = build_services(make_settings(database_url))
    yield built
    await built.close()


async def test_a_failing_action_leaves_its_tap_unclaimed_so_the_redelivered_tap_works_once(services: Services) -> None:
    desk = DeskService(services.sessionmaker, services.settings)
    async with services.sessionmaker.begin() as session:
        lead_id = (await create_lead(session, chat_id=42, name="Dana", availability=[])).id
    claim = Claim(update_id=9001, chat_id=None)
    with pytest.raises(_Broken):
        async with desk.unit(Actor.terminal(), claim) as session:
            await session.get(Lead, lead_id)
            raise _Broken
    async with services.sessionmaker() as session:
        assert await session.get(ProcessedUpdate, (services.settings.bot_id, claim.update_id)) is None
    change = await desk.set_status(Actor.terminal(), lead_id, LeadStatus.BOOKED, claim)
    assert change.lead is not None and change.lead.status is LeadStatus.BOOKED
    with pytest.raises(AlreadyDone):
        await desk.set_status(Actor.terminal(), lead_id, LeadStatus.LOST, claim)
    async with services.sessionmaker() as session:
        lead = await session.get(Lead, lead_id)
        assert lead is not None and lead.status is LeadStatus.BOOKED
