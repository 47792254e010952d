"""The two helpers that let db/ type-check strictly: a model's Table, and the row count of a DML statement."""

from __future__ import annotations

import pytest
from sqlalchemy import Table, select, update

from bot.engine.vocabulary import LeadStatus
from db.base import rowcount, table_of
from db.leads import create_lead
from db.models import Lead
from db.session import make_engine, make_sessionmaker


def test_table_of_is_the_model_s_own_table() -> None:
    assert isinstance(table_of(Lead), Table) and table_of(Lead) is Lead.__table__


async def test_rowcount_counts_what_an_update_matched_and_refuses_a_select(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            for chat_id in (1, 2):
                await create_lead(session, chat_id=chat_id, name="Dana")
            matched = await session.execute(update(Lead).where(Lead.chat_id == 1).values(status=LeadStatus.BOOKED))
            assert rowcount(matched) == 1
            assert rowcount(await session.execute(update(Lead).values(status=LeadStatus.LOST))) == 2
            with pytest.raises(TypeError, match="no row count"):
                rowcount(await session.execute(select(Lead.id)))
            await session.rollback()
    finally:
        await engine.dispose()
