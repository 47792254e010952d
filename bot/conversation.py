"""Applies one event to one chat inside one database transaction: load state, decide, save, log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.engine.events import ButtonPress, Command, ContactShared, Incoming, LeadConfirmed, Media, Reply, Text
from bot.engine.intake import EngineContext, decide
from bot.engine.render import lead_card, lead_fields
from bot.engine.state import ConversationState
from bot.errors import StaleConversation
from db.conversations import load_conversation, save_conversation
from db.leads import create_lead
from db.messages import log_messages
from db.models import Direction

log = logging.getLogger(__name__)
ATTEMPTS = 3


@dataclass(frozen=True)
class SavedLead:
    """A lead that this event created, with the admins' card already rendered."""

    id: int
    card: str


@dataclass(frozen=True)
class Outcome:
    """What the transport must do after the transaction committed."""

    replies: tuple[Reply, ...]
    version: int  # state version the replies' buttons belong to
    notice: str | None = None
    lead: SavedLead | None = None


class ConversationService:
    """The one place that runs the engine against the database."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], ctx: EngineContext) -> None:
        self.sessionmaker = sessionmaker
        self.ctx = ctx

    async def handle(self, incoming: Incoming) -> Outcome:
        """Apply an event; a race with another worker is retried from a fresh read."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._apply(incoming)
            except (StaleDataError, IntegrityError, StaleConversation):
                log.info("conversation changed concurrently, retrying", extra={"chat_id": incoming.chat_id, "attempt": attempt})
        raise StaleConversation(f"chat {incoming.chat_id} kept changing")

    async def _apply(self, incoming: Incoming) -> Outcome:
        async with self.sessionmaker.begin() as session:
            row = await load_conversation(session, incoming.chat_id)
            state = ConversationState.model_validate(row.state) if row is not None else ConversationState()
            state.version = row.version if row is not None else 0
            decision = decide(state, incoming, self.ctx)
            new_state = decision.state
            saved: SavedLead | None = None
            if any(isinstance(e, LeadConfirmed) for e in decision.effects):
                lead = await create_lead(session, **self._lead_columns(incoming, state))
                new_state.last_lead_id = lead.id
                saved = SavedLead(lead.id, lead_card(lead, self.ctx.content))
            version = state.version
            if decision.changed:
                row = await save_conversation(
                    session,
                    row,
                    incoming.chat_id,
                    new_state.step.value,
                    new_state.model_dump(mode="json", exclude={"version"}),
                    new_state.last_lead_id,
                )
                version = row.version
            await log_messages(session, incoming.chat_id, Direction.IN, [describe_event(incoming)])
            await log_messages(session, incoming.chat_id, Direction.OUT, [r.text for r in decision.replies])
        return Outcome(decision.replies, version, decision.notice, saved)

    def _lead_columns(self, incoming: Incoming, state: ConversationState) -> dict[str, Any]:
        # `state` is the pre-decision state: the facts the prospect just confirmed.
        sender = incoming.sender
        facts = state.facts
        columns = dict(lead_fields(facts))
        if columns["name"] is None:
            columns["name"] = sender.full_name
        columns |= {
            "chat_id": incoming.chat_id,
            "telegram_user_id": sender.user_id,
            "telegram_username": sender.username,
            "language_code": sender.language_code,
            "source": state.source,
        }
        return columns


def describe_event(incoming: Incoming) -> str:
    """The log line for an inbound event: the text itself, or what kind of thing arrived."""
    event = incoming.event
    if isinstance(event, Text):
        return event.text
    if isinstance(event, Command):
        return f"/{event.name} {event.args}".strip()
    if isinstance(event, ButtonPress):
        return f"[button {event.action}:{event.value}]"
    if isinstance(event, ContactShared):
        return "[shared contact]"
    if isinstance(event, Media):
        return f"[{event.kind}]"
    return "[event]"
