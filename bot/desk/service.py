"""The desk's core: every desk action, from a tap, a command or the terminal, is checked and claimed here.

An action takes an actor and what it is about. It checks that the actor is one of the desk's people (ADMIN_USER_IDS,
the person of a private admin chat, or an assistant who redeemed an invitation and was not revoked), does its work
and records the Telegram update it came from in one transaction, and returns what to show. A redelivered update
finds its claim and changes nothing; a refused or failed action leaves no claim behind, so a retry can still work.

    DeskRefused   the actor is not one of the desk's people (nothing done, nothing claimed)
    AlreadyDone   this update was handled before (nothing done again)
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine.vocabulary import LeadStatus, OutboxKind
from bot.errors import HeadshotBotError
from bot.settings import Settings
from db.base import utcnow
from db.business import set_paused
from db.desk import add_lead_note, set_lead_status
from db.insights import claim_draft, get_insight
from db.journal import claim_update
from db.leads import get_lead, list_leads
from db.models import Lead, LeadEvent, LeadInsight
from db.outbox import owe_relay
from db.people import add_assistant, create_invitation, find_invitation, is_assistant, redeem_invitation, revoke_assistant

INVITATION_TTL = timedelta(hours=24)
Foreign = Callable[[str, Lead], list[str]]  # what in a draft to a lead is not the studio's
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 12  # 60 bits: not guessable within a day, even without the per-chat rate limit


class DeskRefused(HeadshotBotError):
    """The actor is not one of the desk's people."""


class AlreadyDone(HeadshotBotError):
    """The update carrying this action was handled before."""


@dataclass(frozen=True)
class Actor:
    """Who asks the desk for something: a Telegram user, or the terminal (whoever runs it owns the database)."""

    user_id: int | None
    name: str  # as a lead's history shows it

    @classmethod
    def terminal(cls) -> Actor:
        """The person at the terminal running `headshot-bot`."""
        return cls(None, "cli")


@dataclass(frozen=True)
class Claim:
    """The Telegram update an action comes from, recorded with the action's work."""

    update_id: int
    chat_id: int | None


@dataclass(frozen=True)
class StatusChange:
    """A status tap's result: no lead (gone), or the lead with its new event (None when it was that status already)."""

    lead: Lead | None
    event: LeadEvent | None


@dataclass(frozen=True)
class RelayTarget:
    """Where the photographer's words go (a prospect's chat, about a lead or a question) and which admin chat hears
    how it went."""

    prospect_chat_id: int
    lead_id: int | None
    question_id: int | None
    confirm_chat: int

    def payload(self, words: str, html: str) -> dict[str, object]:
        """The outbox item's payload: the photographer's words, as the prospect reads them, and whom to tell."""
        return {"words": words, "html": html, "question_id": self.question_id, "confirm_chat": self.confirm_chat}


@dataclass(frozen=True)
class DraftClaim:
    """Send draft's claim: whether this actor may send it now, the follow-up as it stands (None: gone), and the
    outbox item that now owes it to the prospect (when claimed)."""

    claimed: bool
    insight: LeadInsight | None
    item_id: int | None = None
    refused: tuple[str, ...] = ()  # what kept the stored draft from being sent: not the studio's


@dataclass(frozen=True)
class Invitation:
    """A new one-time code and when it stops working."""

    code: str
    expires_at: datetime


class Redemption(str, enum.Enum):
    """How redeeming an invitation code went."""

    JOINED = "joined"
    ALREADY_JOINED = "already_joined"  # this person used this code before (a redelivered /join)
    INVALID = "invalid"  # unknown, expired, or used by someone else


def code_hash(code: str) -> str:
    """The stored form of an invitation code: codes are compared by hash, typed in any case or spacing."""
    normalised = "".join(code.split()).upper().replace("-", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


class DeskService:
    """Every desk action, authorised and claimed in its own transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings

    async def is_desk_person(self, session: AsyncSession, user_id: int | None) -> bool:
        """Whether this user may use the desk (None is the terminal, which may)."""
        if user_id is None:
            return True
        return user_id in self.settings.desk_user_ids or await is_assistant(session, user_id)

    async def check(self, actor: Actor) -> None:
        """Refuse (DeskRefused) anyone who is not one of the desk's people, before anything is done for them."""
        if actor.user_id is None or actor.user_id in self.settings.desk_user_ids:
            return
        async with self.sessionmaker() as session:
            if not await is_assistant(session, actor.user_id):
                raise DeskRefused(f"user {actor.user_id} is not on the desk")

    @asynccontextmanager
    async def unit(self, actor: Actor, claim: Claim | None = None) -> AsyncIterator[AsyncSession]:
        """One desk action's transaction: the actor checked and the update claimed, then the work, committed together."""
        try:
            async with self.sessionmaker.begin() as session:
                if not await self.is_desk_person(session, actor.user_id):
                    raise DeskRefused(f"user {actor.user_id} is not on the desk")
                if claim is not None and not await claim_update(session, self.settings.bot_id, claim.update_id, claim.chat_id):
                    raise AlreadyDone(f"update {claim.update_id}")
                yield session
        except IntegrityError as exc:
            if claim is not None and "processed_updates" in str(exc.orig):
                raise AlreadyDone(f"update {claim.update_id}") from None  # another worker claimed it at the same moment
            raise

    async def set_status(self, actor: Actor, lead_id: int, status: LeadStatus, claim: Claim | None = None,
                         note: str | None = None) -> StatusChange:  # fmt: skip
        """Contacted / Quoted / Booked / Lost (or any status from the terminal), recorded with who did it."""
        async with self.unit(actor, claim) as session:
            lead, event = await set_lead_status(session, lead_id, status, actor.name, note)
        return StatusChange(lead, event)

    async def add_note(self, actor: Actor, lead_id: int, text: str, claim: Claim | None = None) -> LeadEvent | None:
        """A note on a lead; None when the lead is gone."""
        async with self.unit(actor, claim) as session:
            return await add_lead_note(session, lead_id, actor.name, text)

    async def export_leads(self, actor: Actor, claim: Claim | None = None) -> list[Lead]:
        """Every lead, for /export."""
        async with self.unit(actor, claim) as session:
            return await list_leads(session)

    async def relay(self, actor: Actor, to: RelayTarget, words: str, render: Callable[[str], str],
                    claim: Claim | None = None) -> int:  # fmt: skip
        """The photographer's words to a prospect, owed by the outbox in the transaction that claims the action (a
        crash before the send cannot lose them, nor a redelivered update send them twice); the item's id."""
        async with self.unit(actor, claim) as session:
            item = await owe_relay(session, OutboxKind.RELAY, to.prospect_chat_id, to.lead_id, to.payload(words, render(words)))
        return item.id

    async def claim_draft(self, actor: Actor, to: RelayTarget, words: str | None, render: Callable[[str], str],
                          claim: Claim | None = None, foreign: Foreign | None = None) -> DraftClaim:  # fmt: skip
        """Take a lead's follow-up for sending (the draft, or the photographer's `words` instead) and owe it to the
        prospect in the same transaction; a second tap, or another admin first, gets claimed=False, and so does a
        stored draft holding what `foreign` finds (what is not the studio's: it is never sent, see bot.desk.screening)."""
        assert to.lead_id is not None
        async with self.unit(actor, claim) as session:
            if words is None and foreign is not None:
                insight, lead = await get_insight(session, to.lead_id), await get_lead(session, to.lead_id)
                if insight is not None and lead is not None and (found := foreign(insight.draft, lead)):
                    return DraftClaim(False, insight, refused=tuple(found))
            claimed = await claim_draft(session, to.lead_id, actor.name, utcnow(), edited=words is not None)
            insight = await get_insight(session, to.lead_id)
            if not claimed or insight is None:
                return DraftClaim(False, insight)
            text = insight.draft if words is None else words
            item = await owe_relay(session, OutboxKind.FOLLOW_UP, to.prospect_chat_id, to.lead_id, to.payload(text, render(text)))
        return DraftClaim(True, insight, item.id)

    async def invite(self, actor: Actor, ttl: timedelta = INVITATION_TTL) -> Invitation:
        """A new one-time code for an assistant to redeem in a private chat with the bot."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        expires_at = utcnow() + ttl
        async with self.unit(actor) as session:
            await create_invitation(session, code_hash(code), actor.name, expires_at)
        return Invitation(f"{code[:4]}-{code[4:8]}-{code[8:]}", expires_at)

    async def redeem(self, user_id: int, name: str, code: str, claim: Claim | None = None) -> Redemption:
        """Add the sender of a one-time code to the desk, recording who redeemed it and when."""
        hashed, now = code_hash(code), utcnow()
        try:
            async with self.sessionmaker.begin() as session:
                if claim is not None and not await claim_update(session, self.settings.bot_id, claim.update_id, claim.chat_id):
                    return Redemption.ALREADY_JOINED if await is_assistant(session, user_id) else Redemption.INVALID
                invitation = await redeem_invitation(session, hashed, user_id, now)
                if invitation is None:
                    used = await find_invitation(session, hashed)
                    mine = used is not None and used.redeemed_by == user_id and await is_assistant(session, user_id)
                    return Redemption.ALREADY_JOINED if mine else Redemption.INVALID
                await add_assistant(session, user_id, name[:128], invitation.created_by, now)
        except IntegrityError:  # the same update at the same moment in another worker
            return Redemption.ALREADY_JOINED
        return Redemption.JOINED

    async def pause_business_chat(self, actor: Actor, chat_id: int, paused: bool, claim: Claim | None = None) -> bool:
        """Pause the bot in a Telegram Business chat until resumed, or resume it (which also ends a take-over's quiet
        time); False when no such business chat has written."""
        async with self.unit(actor, claim) as session:
            return await set_paused(session, chat_id, paused) > 0

    async def revoke(self, actor: Actor, user_id: int) -> bool:
        """Take an assistant off the desk at once; False when they are not one (people in the settings stay)."""
        async with self.unit(actor) as session:
            return await revoke_assistant(session, user_id, actor.name, utcnow()) is not None
