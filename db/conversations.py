"""Reading and writing one chat's conversation state.

This runs for every update, so it runs statements built once, on the transaction's connection, rather than
loading ORM objects: one SELECT and one INSERT or version-checked UPDATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm.exc import StaleDataError

from bot.engine.vocabulary import FunnelStep, Step
from db.base import table_of
from db.models import Conversation, FunnelEvent

_TABLE = table_of(Conversation)
_LOAD = (
    select(_TABLE.c.step, _TABLE.c.state, _TABLE.c.version, _TABLE.c.last_lead_id)
    .where(_TABLE.c.chat_id == bindparam("b_chat_id"))
    .with_for_update()
)
_INSERT = insert(_TABLE)  # the columns come from the parameters
_UPDATE = update(_TABLE).where(_TABLE.c.chat_id == bindparam("b_chat_id"), _TABLE.c.version == bindparam("b_version"))
_FUNNEL = insert(table_of(FunnelEvent))


@dataclass(frozen=True)
class StoredConversation:
    """A chat's stored state and the version it was read at."""

    step: Step
    state: dict[str, Any]
    version: int
    last_lead_id: int | None


async def load_conversation(connection: AsyncConnection, chat_id: int) -> StoredConversation | None:
    """The chat's conversation, its row locked for this transaction where the database can."""
    row = (await connection.execute(_LOAD, {"b_chat_id": chat_id})).first()
    return StoredConversation(row.step, row.state, row.version, row.last_lead_id) if row is not None else None


async def save_conversation(
    connection: AsyncConnection,
    stored: StoredConversation | None,
    chat_id: int,
    step: Step,
    state: dict[str, Any],
    last_lead_id: int | None,
) -> int:
    """Insert or update the chat's row and return its new version; StaleDataError when another writer came first.

    The UPDATE only matches the version that was read, as SQLAlchemy's own version counter would; a racing
    INSERT of the same chat fails on the primary key (IntegrityError). Both are retried by the caller.
    """
    intake_started = step is not Step.IDLE and (stored is None or stored.step is Step.IDLE)
    values: dict[str, Any] = {"step": step, "state": state, "last_lead_id": last_lead_id}
    if intake_started:
        values["reminded_at"] = None  # each new intake can get its own one reminder
    if stored is None:
        version = 1
        await connection.execute(_INSERT, {"chat_id": chat_id, "version": version, **values})
    else:
        version = stored.version + 1
        result = await connection.execute(_UPDATE, {"b_chat_id": chat_id, "b_version": stored.version, "version": version, **values})
        if result.rowcount != 1:
            raise StaleDataError(f"conversation {chat_id} changed after it was read")
    if intake_started:
        await connection.execute(_FUNNEL, {"chat_id": chat_id, "step": FunnelStep.INTAKE_STARTED, "source": state.get("source")})
    return version
