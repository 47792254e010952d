"""Messages to and from the desk: lead cards and notices out, cards kept current, the photographer's words relayed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, ForceReply, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.business import is_business_key
from bot.conversation import AdminNotice
from bot.desk.cards import Desk, lead_message, learn_keyboard, notice_keyboard
from bot.desk.content import load_desk_content
from bot.desk.insights import Organiser, TemplateOrganiser
from bot.desk.screening import DraftScreen
from bot.desk.service import DeskService
from bot.desk.unsettled import Unsettled
from bot.engine.vocabulary import DeskMessageKind, Direction, NoticeKind
from bot.services import Services
from db.base import utcnow
from db.desk import get_desk_message, last_status_events, lead_cards, track_desk_message
from db.insights import get_insight, save_insight
from db.leads import get_lead
from db.locks import LockSpace
from db.messages import log_messages
from db.models import DeskMessage, Lead, LeadInsight
from db.questions import answer_question

log = logging.getLogger(__name__)
DESK_KEY, ORGANISER_KEY, UNSETTLED_KEY, SERVICE_KEY = "desk", "organiser", "desk_unsettled", "desk_service"
PLAIN_NOTICES = (NoticeKind.FORGOTTEN, NoticeKind.TAKEN_OVER)


def load_desk(services: Services) -> Desk:
    """The desk's wording with the pack and the studio's zone (a broken desk.yaml is a ContentError)."""
    return Desk(services.content, load_desk_content(services.settings.prompts_dir), services.settings.zone)


def install_desk(application: Application) -> Desk:  # type: ignore[type-arg]
    """Load the desk's wording and keep it beside the services (a broken desk.yaml fails at start), with the organiser."""
    services: Services = application.bot_data["services"]
    desk = load_desk(services)
    application.bot_data[DESK_KEY] = desk
    application.bot_data[ORGANISER_KEY] = make_organiser(services, desk)
    application.bot_data[UNSETTLED_KEY] = Unsettled()
    application.bot_data[SERVICE_KEY] = DeskService(services.sessionmaker, services.settings)
    return desk


def make_organiser(services: Services, desk: Desk) -> Organiser:
    """The model's organiser on the services' one client when a model is configured, the template's otherwise."""
    template = TemplateOrganiser(desk)
    if services.model_client is None:
        return template
    from bot.desk.insight_model import ModelOrganiser  # imports openai: only when a model is configured

    return ModelOrganiser(services.model_client, services.settings.openai_model, template)


def desk_of(application: Application) -> Desk:  # type: ignore[type-arg]
    """The desk installed at start."""
    return application.bot_data[DESK_KEY]  # type: ignore[no-any-return]


def service_of(application: Application) -> DeskService:  # type: ignore[type-arg]
    """The desk's core installed at start: every desk action goes through it."""
    return application.bot_data[SERVICE_KEY]  # type: ignore[no-any-return]


def organiser_of(application: Application) -> Organiser:  # type: ignore[type-arg]
    """The organiser installed at start."""
    return application.bot_data[ORGANISER_KEY]  # type: ignore[no-any-return]


def desk_sender(application: Application, bot: Bot) -> DeskSender:  # type: ignore[type-arg]
    """The desk's sender, sharing with every other one this process's desk messages still being remembered."""
    return DeskSender(bot, application.bot_data["services"], desk_of(application), application.bot_data[UNSETTLED_KEY])


@dataclass(frozen=True)
class DeskSender:
    """Sends what the desk says, and remembers in the database which admin message is about which prospect."""

    bot: Bot
    services: Services
    desk: Desk
    unsettled: Unsettled

    @cached_property
    def screen(self) -> DraftScreen:
        """What a follow-up to a prospect may say (the studio's own facts and links), and what is flagged as theirs."""
        return DraftScreen(self.desk)

    async def post_card(self, lead_id: int, chat_ids: tuple[int, ...] | None = None) -> list[Message] | None:
        """Send a lead's card to the admin chats (all by default), one failing chat sparing the others; None: no such lead."""
        async with self.services.sessionmaker() as session:
            current = await self._current(session, lead_id)
        if current is None:
            return None
        lead, text, markup = current
        chats = self.services.settings.admin_chat_ids if chat_ids is None else chat_ids
        return await self._post(chats, text, markup, DeskMessageKind.CARD, lead.chat_id, lead.id)

    async def _current(self, session: AsyncSession, lead_id: int) -> tuple[Lead, str, InlineKeyboardMarkup] | None:
        """A lead, and its card as it reads now: status, last change, follow-up (None: no such lead)."""
        lead = await get_lead(session, lead_id)
        if lead is None:
            return None
        last = (await last_status_events(session, [lead_id])).get(lead_id)
        insight = await get_insight(session, lead_id)
        return (lead, *lead_message(lead, last, self.desk, utcnow(), insight, self.screen.quotes(lead)))

    async def post_new_lead(self, lead_id: int, organiser: Organiser) -> bool:
        """A new lead's card, with its suggested follow-up, in every admin chat that does not have it yet; True once
        every admin chat has it (or the lead is gone), so the outbox knows when to stop trying.

        The template's follow-up is ready at once and rides in the card: one message per admin chat, as a bare
        notification would be. A model's comes later and is edited into the cards, so that a slow or failing model
        never holds the card back; the cards are remembered before it is asked for, so a status change meanwhile
        edits them. A retry sends only to the chats still without the card, with the follow-up kept the first time.
        """
        admin_chats = self.services.settings.admin_chat_ids
        async with self.services.sessionmaker() as session:
            lead = await get_lead(session, lead_id)
            if lead is None:
                return True
            have = {card.chat_id for card in await lead_cards(session, lead_id)}
            insight = await get_insight(session, lead_id)
            last = (await last_status_events(session, [lead_id])).get(lead_id) if have else None  # a retry only
        missing = tuple(chat_id for chat_id in admin_chats if chat_id not in have)
        if not missing:
            return True  # nobody (else) to read it: no model call either
        if insight is None and organiser.at_once:
            insight = await self._keep_insight(lead, organiser)
        text, markup = lead_message(lead, last, self.desk, utcnow(), insight, self.screen.quotes(lead))
        try:
            sent = await self._post(missing, text, markup, DeskMessageKind.CARD, lead.chat_id, lead_id)
        except IntegrityError:  # the prospect was forgotten meanwhile
            log.info("desk messages not remembered: lead gone", extra={"lead_id": lead_id})
            return True
        if insight is None and not organiser.at_once and sent and await self._keep_insight(lead, organiser) is not None:
            await self.refresh(lead_id)
        return len(sent) == len(missing)

    async def _keep_insight(self, lead: Lead, organiser: Organiser) -> LeadInsight | None:
        """Work out a lead's suggested follow-up and keep it; None when it has one already or is gone."""
        found = await organiser.insight(lead)
        try:
            async with self.services.sessionmaker.begin() as session:
                insight = await save_insight(session, lead.id, summary=found.summary, priority=found.priority,
                                             reason=found.reason, draft=found.draft, source=found.source)  # fmt: skip
        except IntegrityError:  # kept already (a second worker), or the prospect was forgotten meanwhile
            log.info("follow-up not kept: already there or lead gone", extra={"lead_id": lead.id})
            return None
        except SQLAlchemyError as exc:  # a locked or lost database: the card goes without it rather than not at all
            log.error("follow-up not kept: %s", exc.__class__.__name__, extra={"lead_id": lead.id})
            return None
        log.info("follow-up kept", extra={"lead_id": lead.id, "source": found.source.value})
        return insight

    async def post_notice(self, notice: AdminNotice) -> None:
        """Send an unanswered question or a forwarded message, with a Reply button, to every admin chat."""
        if notice.kind in PLAIN_NOTICES:
            # Nothing may link back to a prospect who asked to be forgotten: no button, no tracked message. A
            # business chat taken over is the photographer's own: nothing to reply to from here.
            for chat_id in self.services.settings.admin_chat_ids:
                await self._send(chat_id, notice.rendered, None)
            return
        await self._post(self.services.settings.admin_chat_ids, notice.rendered, notice_keyboard(self.desk),
                         DeskMessageKind.NOTICE, notice.chat_id, notice.lead_id, notice.question_id)  # fmt: skip

    async def refresh(self, lead_id: int) -> int:
        """Edit every card of a lead in place to show its current status and follow-up; how many were edited."""
        # A slower refresh that read the lead earlier cannot edit last: not in this process (its lock), nor in
        # another webhook worker (the lead's advisory lock on PostgreSQL).
        async with self.unsettled.lock(lead_id), self.services.locks.hold(LockSpace.LEAD_CARDS, lead_id):
            await self.unsettled.settle(self.unsettled.pending(lead_id=lead_id))  # a card being sent is edited too
            async with self.services.sessionmaker() as session:
                current = await self._current(session, lead_id)
                cards = await lead_cards(session, lead_id) if current is not None else []
            if current is None:
                return 0
            _, text, markup = current
            return await self._edit_all(cards, text, markup)

    async def prompt(self, chat_id: int, about: DeskMessage, kind: DeskMessageKind, text: str) -> None:
        """Ask the photographer for words (a reply or a note) as a reply to a tracked prompt."""
        await self._post((chat_id,), text, ForceReply(selective=True), kind, about.prospect_chat_id, about.lead_id,
                         about.question_id)  # fmt: skip

    def relay_html(self, text: str) -> str:
        """The photographer's words as the prospect reads them, from the studio."""
        return self.desk.line(self.desk.text.handoff.to_prospect, text=text)

    async def send_to_prospect(self, prospect_chat_id: int, html: str) -> TelegramError | None:
        """Send the photographer's words to a prospect's chat (a business chat through its connection); the error
        Telegram answered, if any."""
        chat_id, connection_id = prospect_chat_id, None
        if is_business_key(chat_id):
            route = await self.services.business.route(chat_id)
            if route is None:
                return BadRequest("the business connection may not reply in this chat")
            chat_id, connection_id = route.chat_id, route.connection_id
        try:
            await self.bot.send_message(chat_id, html, business_connection_id=connection_id)
        except TelegramError as exc:
            log.warning("relay not delivered: %s", exc.__class__.__name__, extra={"chat_id": prospect_chat_id})
            return exc
        return None

    async def relayed(self, prospect_chat_id: int, html: str, question_id: int | None, words: str) -> None:
        """Words that reached a prospect: logged in their chat, and kept as the question's answer."""
        async with self.services.sessionmaker.begin() as session:
            await log_messages(session, prospect_chat_id, Direction.OUT, [html])
            if question_id is not None:
                await answer_question(session, question_id, words)

    async def confirm_relay(self, chat_id: int, who: str, question_id: int | None, error: TelegramError | None) -> None:
        """Tell the photographer the words went out (offering to keep an answer for everyone) or why not."""
        handoff = self.desk.text.handoff
        if error is not None:
            await self._send(chat_id, self.desk.line(handoff.failed, who=who, reason=error.message))
            return
        markup = learn_keyboard(question_id, self.desk) if question_id is not None else None
        await self._send(chat_id, self.desk.line(handoff.sent, who=who), markup)

    async def redact(self, chat_id: int, message_id: int) -> bool:
        """Edit an admin chat's message about a forgotten prospect to say so, buttons gone; True once that is done
        (or the message is gone, or reads so already), False to try again later."""
        try:
            await self.bot.edit_message_text(self.desk.line(self.desk.text.privacy.deleted), chat_id, message_id)
        except BadRequest as exc:  # deleted by the photographer, too old to edit, or showing this already
            log.info("desk message not redacted: %s", exc.__class__.__name__, extra={"chat_id": chat_id})
        except TelegramError as exc:
            log.warning("desk message not redacted yet: %s", exc.__class__.__name__, extra={"chat_id": chat_id})
            return False
        return True

    async def tracked(self, chat_id: int, message_id: int) -> DeskMessage | None:
        """What an admin chat's message is about, if anything, once the messages being sent to that chat now are
        remembered."""
        sending = self.unsettled.pending(chat_id=chat_id)  # taken first: a round that ends during the read counts too
        async with self.services.sessionmaker() as session:
            found = await get_desk_message(session, chat_id, message_id)
        if found is None and sending:
            await self.unsettled.settle(sending)
            async with self.services.sessionmaker() as session:
                found = await get_desk_message(session, chat_id, message_id)
        return found

    def who(self, target: DeskMessage) -> str:
        """The prospect a desk message is about, in words."""
        return self.desk.who(target.lead_id, target.prospect_chat_id)

    async def _edit_all(self, messages: list[DeskMessage], text: str, markup: InlineKeyboardMarkup | None) -> int:
        edited = 0
        for message in messages:
            try:
                await self.bot.edit_message_text(text, message.chat_id, message.message_id, reply_markup=markup)
                edited += 1
            except BadRequest as exc:
                # Deleted by the photographer, or already showing this: nothing to fix.
                log.info("desk message not edited: %s", exc.__class__.__name__, extra={"chat_id": message.chat_id})
            except TelegramError as exc:
                log.warning("desk message not edited: %s", exc.__class__.__name__, extra={"chat_id": message.chat_id})
        return edited

    async def _send(self, chat_id: int, text: str, markup: object = None) -> Message | None:
        try:
            return await self.bot.send_message(chat_id, text, reply_markup=markup)  # type: ignore[arg-type]
        except TelegramError as exc:
            log.error("could not write to admin chat: %s", exc.__class__.__name__, extra={"chat_id": chat_id})
            return None

    async def _post(self, chat_ids: tuple[int, ...], text: str, markup: object, kind: DeskMessageKind, prospect: int,
                    lead_id: int | None, question_id: int | None = None) -> list[Message]:  # fmt: skip
        """Send to each admin chat (one failing chat sparing the others), then remember what went out in one
        transaction (IntegrityError: the lead or question is gone); a tap meanwhile waits for that."""
        async with self.unsettled.round(chat_ids, lead_id):
            sent = [m for m in [await self._send(chat_id, text, markup) for chat_id in chat_ids] if m is not None]
            if sent:
                async with self.services.sessionmaker.begin() as session:
                    for message in sent:
                        await track_desk_message(session, message.chat_id, message.message_id, kind, prospect,
                                                 lead_id, question_id)  # fmt: skip
        return sent
