"""Applies one event to one chat inside one database transaction: load state, decide, save, log."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.business import BUSINESS_SOURCE, is_business_key
from bot.content import ContentPack
from bot.engine import parsing
from bot.engine.events import (
    ButtonPress,
    Command,
    ContactShared,
    ForgetMe,
    ForwardToAdmins,
    Incoming,
    LeadConfirmed,
    Media,
    QuestionUnanswered,
    Reply,
    ShowMyData,
    Text,
)
from bot.engine.intake import MAX_TEXT, EngineContext, decide
from bot.engine.prompts import question_for
from bot.engine.render import admin_notice_text, fill, lead_card, lead_fields
from bot.engine.state import ConversationState
from bot.engine.vocabulary import NoticeKind, QuestionKind, Step
from bot.errors import StaleConversation
from db.conversations import load_conversation, save_conversation
from db.journal import adopt_journal, claim_update, find_update, mark_sent, record_update, set_blocked
from db.leads import create_lead
from db.messages import log_exchange
from db.models import Conversation
from db.outbox import owe_lead_card
from db.privacy import chat_data, forget_chat
from db.questions import create_question

if TYPE_CHECKING:
    from bot.llm import ModelFacts

log = logging.getLogger(__name__)
ATTEMPTS = 3
DB_RETRY_DELAY = 0.5
MODEL_READABLE_STEPS = (Step.USE, Step.PEOPLE, Step.AVAILABILITY, Step.NAME, Step.CONTACT)


class IntakeReader(Protocol):
    """Reads intake facts from free text (the optional model); None when it cannot."""

    async def extract(self, text: str, asked: str, now: datetime) -> ModelFacts | None: ...


def plain_question(step: Step, content: ContentPack) -> str:
    """The question the bot asked at a step, as written in messages.yaml, for the model."""
    return question_for(step, content)


@dataclass(frozen=True)
class SavedLead:
    """A lead that this event created, with the admins' card already rendered."""

    id: int
    card: str


@dataclass(frozen=True)
class AdminNotice:
    """Something the photographer should read: an unanswered question or a message after a lead."""

    kind: NoticeKind
    chat_id: int
    text: str
    lead_id: int | None = None
    question_id: int | None = None
    rendered: str = ""  # the HTML the admin chats receive


@dataclass(frozen=True)
class Outcome:
    """What the transport must do after the transaction committed."""

    replies: tuple[Reply, ...]
    version: int  # state version the replies' buttons belong to
    notice: str | None = None
    lead: SavedLead | None = None
    admin_notices: tuple[AdminNotice, ...] = ()
    my_data: dict[str, Any] | None = None  # everything stored about the chat, when the prospect asked for it
    update_id: int | None = None  # journal entry whose delivery progress the transport reports
    first: int = 0  # index of the first reply still to deliver (a redelivered update resumes here)
    handed: int = 0  # replies the journal already counts as handed over (the first, from the decision's commit)
    duplicate: bool = False


class HandOvers:
    """How many of each update's replies are handed to Telegram, written to the update journal before each send.

    A reply is counted in a commit made before its Bot API call, so after a crash at any point the journal says
    which replies may have gone out: a redelivered update, or the retry job, sends only the others (see
    db.journal). The decision's own transaction counts its first reply already; these writes are for the replies
    after it, for a reply phrased by the model, and for a failed call given back for a retry. Writes that arrive
    while one is committing wait for it and share the next transaction (group commit): no fixed delay, and no
    transaction per message under load.
    """

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], writes: contextlib.AbstractAsyncContextManager[Any], bot_id: int = 0
    ) -> None:
        self.sessionmaker = sessionmaker
        self.bot_id = bot_id
        self._writes = writes  # the service's SQLite write queue
        self._pending: dict[int, tuple[int, bool]] = {}  # update id -> (replies handed over, all of them)
        self._batch: asyncio.Future[None] | None = None  # settled when the pending marks are committed
        self._one_commit = asyncio.Lock()

    async def record(self, update_id: int, count: int, done: bool) -> None:
        """Write a mark; returns once it is committed with the others of the moment, raises if that commit failed.

        A failed batch is dropped, not retried: its callers do not send (a mark counting a reply that was never
        sent would lose it), and the journal's older count sends the reply later."""
        self._pending[update_id] = (count, done)
        if self._batch is None:
            self._batch = asyncio.get_running_loop().create_future()
        batch = self._batch
        async with self._one_commit:
            if not batch.done():  # nobody wrote our batch while we waited: we do, with every mark noted since
                marks, self._pending, self._batch = self._pending, {}, None
                try:
                    async with self._writes, self.sessionmaker.begin() as session:
                        await mark_sent(session, self.bot_id, marks)
                    batch.set_result(None)
                except Exception as exc:
                    batch.set_exception(exc)
                except BaseException:
                    batch.set_exception(InterfaceError("journal marks", None, ConnectionError("write cancelled")))
                    batch.exception()  # retrieved, by whoever else waits or not at all
                    raise
        batch.result()


class ConversationService:
    """The one place that runs the engine against the database."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        ctx: EngineContext,
        *,
        defer_answers: bool = False,
        reader: IntakeReader | None = None,
        bot_id: int = 0,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.bot_id = bot_id  # the journal's rows are this bot's (db.journal)
        self.engine: AsyncEngine = sessionmaker.kw["bind"]
        self.ctx = ctx
        self.reader = reader
        # SQLite has one writer at a time and makes the others poll with growing sleeps; in one process it is
        # cheaper to queue our own writes here. PostgreSQL locks rows and takes them in parallel.
        self._writes = asyncio.Lock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        # With a model configured, answers are logged once phrased (bot.answering), not here.
        self.defer_answers = defer_answers
        self.hand_overs = HandOvers(sessionmaker, self._writes, bot_id)

    async def handle(self, incoming: Incoming) -> Outcome:
        """Apply an event; a race with another worker, or a dropped database connection, is retried from a fresh read.

        The whole transaction is retried, so a lead is saved with its conversation state atomically or not at all.
        A redelivered update is noticed when its journal row exists already (the INSERT fails): the retry then
        replays it instead of applying it twice, which spares the common case a lookup.
        """
        incoming = await self._with_model_reading(_printable(incoming))
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._apply(incoming, check_journal=attempt > 1)
            except (StaleDataError, IntegrityError, StaleConversation):
                # Another worker changed the chat first, or this update was applied before (its journal row exists).
                log.info("update raced or seen before, retrying", extra={"chat_id": incoming.chat_id, "attempt": attempt})
            except (OperationalError, InterfaceError) as exc:
                if attempt == ATTEMPTS:
                    raise
                log.warning("database unavailable (%s), retrying", exc.__class__.__name__, extra={"chat_id": incoming.chat_id})
                await asyncio.sleep(DB_RETRY_DELAY * attempt)
        raise StaleConversation(f"chat {incoming.chat_id} kept changing")

    async def _with_model_reading(self, incoming: Incoming) -> Incoming:
        """Let the optional model read intake text the rules cannot; outside the transaction, as it may take seconds."""
        event = incoming.event
        if self.reader is None or not isinstance(event, Text) or len(event.text) > MAX_TEXT:
            return incoming
        async with self.sessionmaker() as session:
            row = await session.get(Conversation, incoming.chat_id)
        step = row.step if row is not None else Step.IDLE
        if step not in MODEL_READABLE_STEPS:
            return incoming
        now = incoming.at.astimezone(self.ctx.zone)
        if parsing.extract(event.text, now, self.ctx.content.intake).anything or parsing.looks_like_question(event.text):
            return incoming
        asked = plain_question(step, self.ctx.content)
        facts = await self.reader.extract(event.text, asked, now)
        if facts is None:
            return incoming
        return replace(incoming, event=Text(event.text, facts.model_dump(exclude_none=True)))

    async def claim(self, update_id: int, chat_id: int | None) -> bool:
        """Claim an update handled outside the engine (the desk); False when it was handled before."""
        try:
            async with self.sessionmaker.begin() as session:
                return await claim_update(session, self.bot_id, update_id, chat_id)
        except IntegrityError:
            return False  # another worker claimed it at the same moment

    async def adopt_journal(self) -> None:
        """Take the journal rows written before they named their bot (db.journal.adopt_journal); once at start."""
        async with self._writes, self.sessionmaker.begin() as session:
            await adopt_journal(session, self.bot_id)

    async def set_blocked(self, chat_id: int, blocked: bool) -> None:
        """Record that a prospect blocked (or unblocked) the bot."""
        async with self.sessionmaker.begin() as session:
            await set_blocked(session, chat_id, blocked)

    async def hand_over(self, update_id: int, count: int, done: bool) -> None:
        """Count an update's replies handed to Telegram, before the call (or give a failed one back); see HandOvers."""
        await self.hand_overs.record(update_id, count, done)

    async def _replay(self, session: AsyncSession, incoming: Incoming) -> Outcome | None:
        """The outcome of an update seen before: nothing new, only replies not delivered yet."""
        assert incoming.update_id is not None
        seen = await find_update(session, self.bot_id, incoming.update_id)
        if seen is None:
            return None
        log.info("redelivered update ignored")
        sent = seen.sent_count
        pending = () if seen.sent_at is not None else tuple(Reply.from_json(r) for r in seen.replies)
        return Outcome(pending, seen.version, update_id=seen.update_id, first=sent, handed=sent, duplicate=True)

    async def _apply(self, incoming: Incoming, check_journal: bool) -> Outcome:
        # The per-update statements run on the connection; the rare ORM work (a lead, a question, /mydata,
        # /forget) on a session joined to the same transaction.
        async with self._writes, self.engine.begin() as connection:
            session = AsyncSession(bind=connection, expire_on_commit=False)
            try:
                outcome = await self._decide(connection, session, incoming, check_journal)
                await session.flush()
            finally:
                await session.close()
        return outcome

    async def _decide(self, connection: AsyncConnection, session: AsyncSession, incoming: Incoming, check_journal: bool) -> Outcome:
        if check_journal and incoming.update_id is not None and (replayed := await self._replay(session, incoming)) is not None:
            return replayed
        stored = await load_conversation(connection, incoming.chat_id)
        state = ConversationState.model_validate(stored.state) if stored is not None else ConversationState()
        state.version = stored.version if stored is not None else 0
        decision = decide(state, incoming, self.ctx)
        new_state = decision.state
        saved: SavedLead | None = None
        if any(isinstance(e, LeadConfirmed) for e in decision.effects):
            lead = await create_lead(session, **self._lead_columns(incoming, state))
            await owe_lead_card(session, lead.id)  # with the lead, so a crash before the card is sent cannot lose it
            new_state.last_lead_id = lead.id
            saved = SavedLead(lead.id, lead_card(lead, self.ctx.content))
        notices = [await self._notice(session, incoming.chat_id, state.last_lead_id, e) for e in decision.effects]
        if any(isinstance(e, ForgetMe) for e in decision.effects):
            return await self._forget(session, incoming, decision.replies)
        my_data = await chat_data(session, incoming.chat_id) if any(isinstance(e, ShowMyData) for e in decision.effects) else None
        version = state.version
        if decision.changed:
            version = await save_conversation(
                connection,
                stored,
                incoming.chat_id,
                new_state.step,
                new_state.model_dump(mode="json", exclude={"version"}),
                new_state.last_lead_id,
            )
        logged = [r.text for r in decision.replies if not (self.defer_answers and r.question)]
        await log_exchange(connection, incoming.chat_id, [describe_event(incoming)], logged)
        # The first reply is counted as handed over in this commit, so sending it needs no transaction of its own;
        # not one the model phrases first, as a crash while it writes would lose the answer.
        handed = 1 if decision.replies and not (self.defer_answers and decision.replies[0].question) else 0
        if incoming.update_id is not None:
            await record_update(connection, self.bot_id, incoming.update_id, incoming.chat_id, [r.to_json() for r in decision.replies], version, handed)
        admin_notices = tuple(n for n in notices if n is not None)
        return Outcome(decision.replies, version, decision.notice, saved, admin_notices, my_data, incoming.update_id, handed=handed)

    async def _forget(self, session: AsyncSession, incoming: Incoming, replies: tuple[Reply, ...]) -> Outcome:
        # Nothing of this exchange is logged: the point is that nothing about the chat remains.
        forgotten = await forget_chat(session, incoming.chat_id)
        leads = ", ".join(f"#{i}" for i in forgotten.lead_ids) or "-"
        text = fill(self.ctx.content.messages.admin_forgotten, self.ctx.content, leads=leads)
        return Outcome(replies, 0, admin_notices=(AdminNotice(NoticeKind.FORGOTTEN, incoming.chat_id, "", None, None, text),))

    async def _notice(self, session: AsyncSession, chat_id: int, lead_id: int | None, effect: object) -> AdminNotice | None:
        if isinstance(effect, QuestionUnanswered):
            kind = QuestionKind.INQUIRY if effect.inquiry else QuestionKind.QUESTION
            question = await create_question(session, chat_id, effect.text, lead_id, kind)
            rendered = admin_notice_text(kind, chat_id, effect.text, self.ctx.content, lead_id, question.id)
            return AdminNotice(NoticeKind.QUESTION, chat_id, effect.text, lead_id, question.id, rendered)
        if isinstance(effect, ForwardToAdmins):
            rendered = admin_notice_text(None, chat_id, effect.text, self.ctx.content, lead_id)
            return AdminNotice(NoticeKind.MESSAGE, chat_id, effect.text, lead_id, None, rendered)
        return None

    def _lead_columns(self, incoming: Incoming, state: ConversationState) -> dict[str, Any]:
        # `state` is the pre-decision state: the facts the prospect just confirmed.
        sender = incoming.sender
        facts = state.facts
        columns = dict(lead_fields(facts))
        if columns["name"] is None:
            columns["name"] = sender.full_name
        columns |= {
            "prep_brief": self.ctx.content.render_brief(facts.use),
            "chat_id": incoming.chat_id,
            "telegram_user_id": sender.user_id,
            "telegram_username": sender.username,
            "language_code": sender.language_code,
            "source": BUSINESS_SOURCE if is_business_key(incoming.chat_id) else state.source,
        }
        return columns


def _printable(incoming: Incoming) -> Incoming:
    """The event without NUL characters, which PostgreSQL's text columns refuse (and no prospect means to type)."""
    event, sender = incoming.event, incoming.sender
    names = (sender.first_name, sender.last_name, sender.username)
    if not (isinstance(event, Text) and "\x00" in event.text) and not any(n and "\x00" in n for n in names):
        return incoming
    clean = {k: (v.replace("\x00", "") if isinstance(v, str) else v) for k, v in vars(sender).items()}
    if isinstance(event, Text):
        event = dataclasses.replace(event, text=event.text.replace("\x00", ""))
    return dataclasses.replace(incoming, event=event, sender=dataclasses.replace(sender, **clean))


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
