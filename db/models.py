"""The tables: leads, conversation state, the message log, and the photographer's desk."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.engine.vocabulary import (
    DeskMessageKind,
    Direction,
    FunnelStep,
    InsightSource,
    LeadStatus,
    OutboxKind,
    Priority,
    QuestionKind,
    QuestionStatus,
    Step,
    Use,
)
from db.base import Base, UTCDateTime, utcnow


def _enum(kind: type[enum.StrEnum], name: str, length: int = 16) -> Enum:
    # Stored as short strings, not a native PostgreSQL enum, so adding a value is a plain migration; the members'
    # values are stored, so the column holds the words bot.engine.vocabulary defines.
    return Enum(kind, name=name, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Lead(Base):
    """A confirmed request for a session."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus, "lead_status"), default=LeadStatus.NEW, index=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)
    telegram_username: Mapped[str | None] = mapped_column(String(64))
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str | None] = mapped_column(String(128))
    intended_use: Mapped[Use | None] = mapped_column(_enum(Use, "intended_use", 32))
    intended_use_text: Mapped[str | None] = mapped_column(Text)
    people: Mapped[int | None] = mapped_column(Integer)
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    availability_text: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    language_code: Mapped[str | None] = mapped_column(String(16))
    prep_brief: Mapped[str | None] = mapped_column(Text)


class Conversation(Base):
    """One chat's intake state; `version` guards against two workers applying events at once."""

    __tablename__ = "conversations"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    step: Mapped[Step] = mapped_column(_enum(Step, "conversation_step", 32))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    last_lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the unfinished intake's one reminder

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it from the class


class Message(Base):
    """Every text that went in or out, so the photographer can read a chat later."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_chat_id_created_at", "chat_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[Direction] = mapped_column(_enum(Direction, "message_direction"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Question(Base):
    """A prospect's question the knowledge pack could not answer, waiting for the photographer."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind, "question_kind"), default=QuestionKind.QUESTION,
                                               server_default=QuestionKind.QUESTION.value)  # fmt: skip
    status: Mapped[QuestionStatus] = mapped_column(_enum(QuestionStatus, "question_status"), default=QuestionStatus.OPEN, index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CachedAnswer(Base):
    """A model-phrased answer, kept so the same question always gets the same words."""

    __tablename__ = "answer_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    pack_version: Mapped[str] = mapped_column(String(32))
    entry_ids: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # whose question it was phrased for (/forget)


class ProcessedUpdate(Base):
    """An update already applied, with its replies until they are delivered (see db.journal)."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index("ix_processed_updates_sent_at_created_at", "sent_at", "created_at"),)

    # Update ids are one bot's numbering: another bot on the database, or the studio's re-created one, reuses them.
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, server_default="0")
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    replies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChatStatus(Base):
    """Delivery facts about a chat: whether the prospect blocked the bot."""

    __tablename__ = "chat_status"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LeadEvent(Base):
    """One change to a lead on the photographer's desk: who, when, old and new status, an optional note."""

    __tablename__ = "lead_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    old_status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus, "lead_status"))
    new_status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus, "lead_status"))
    note: Mapped[str | None] = mapped_column(Text)


class DeskMessage(Base):
    """A message the bot sent to an admin chat about a prospect: a lead card, a notice or a prompt for words."""

    __tablename__ = "desk_messages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[DeskMessageKind] = mapped_column(_enum(DeskMessageKind, "desk_message_kind"))
    prospect_chat_id: Mapped[int] = mapped_column(BigInteger)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeadInsight(Base):
    """A new lead's suggested follow-up: a summary, a priority with its reason, and a draft sent only on a tap."""

    __tablename__ = "lead_insights"

    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(Text)
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "insight_priority"))
    reason: Mapped[str] = mapped_column(Text)
    draft: Mapped[str] = mapped_column(Text)
    source: Mapped[InsightSource] = mapped_column(_enum(InsightSource, "insight_source"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set once: a second tap sends nothing
    sent_by: Mapped[str | None] = mapped_column(String(128))
    sent_edited: Mapped[bool] = mapped_column(Boolean, default=False)  # the photographer's edited words went out


class LearnedAnswer(Base):
    """The photographer's answer to a question the pack could not answer, kept for every later prospect."""

    __tablename__ = "learned_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    title: Mapped[str] = mapped_column(String(128))
    questions: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"), unique=True)
    actor: Mapped[str] = mapped_column(String(128))


class JobRun(Base):
    """A scheduled job that ran for a period (e.g. "digest:2026-11-29"), so several workers run it once."""

    __tablename__ = "job_runs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FunnelEvent(Base):
    """A chat reached a funnel step (for /stats); the deep-link source it came with, if any."""

    __tablename__ = "funnel_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    step: Mapped[FunnelStep] = mapped_column(_enum(FunnelStep, "funnel_step"))
    source: Mapped[str | None] = mapped_column(String(64))


class DeskAssistant(Base):
    """A person added to the desk by redeeming an invitation; revoked ones are kept, with who revoked them and when."""

    __tablename__ = "desk_assistants"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(128))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by: Mapped[str] = mapped_column(String(128))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(128))


class DeskInvitation(Base):
    """A one-time code that adds its redeemer to the desk; only the code's hash is kept."""

    __tablename__ = "desk_invitations"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redeemed_by: Mapped[int | None] = mapped_column(BigInteger)  # the assistant's Telegram user id


class OutboxItem(Base):
    """A desk message owed, written with what it announces, delivered by a job until it is done.

    A lead card names its lead; a redaction names the admin chat's message (chat_id, message_id) and nothing else; a
    relay or a follow-up names the prospect's chat (chat_id), its lead if any, and carries the words in `payload`."""

    __tablename__ = "desk_outbox"
    __table_args__ = (Index("ix_desk_outbox_delivered_at_due_at", "delivered_at", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[OutboxKind] = mapped_column(_enum(OutboxKind, "outbox_kind"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # next attempt; pushed on while one runs
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BusinessConnection(Base):
    """The photographer's Telegram Business account connected to the bot: who, whether it may reply, whether it is on."""

    __tablename__ = "business_connections"

    connection_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)  # the business account's owner: the photographer
    can_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BusinessChat(Base):
    """A prospect's chat with the photographer's business account, keyed apart from the same person's chat with the bot.

    `chat_key` is what conversations, leads and the journal call this chat (see bot.business); `chat_id` is the
    Telegram chat the replies go to, through `connection_id`."""

    __tablename__ = "business_chats"

    chat_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    connection_id: Mapped[str] = mapped_column(String(128))
    quiet_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the photographer wrote: theirs until then
    paused: Mapped[bool] = mapped_column(Boolean, default=False)  # the desk paused the bot here until resumed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
