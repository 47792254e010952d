"""The desk's buttons and the photographer's replies: status changes, notes, hand-off to prospects, saved answers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from telegram import Update

from bot.desk.callbacks import Action, DeskTap, decode
from bot.desk.cards import as_plain
from bot.desk.commands import actor_of, card_of, claim_of, history_text, leads_page, say, sender, service, show_lead
from bot.desk.drafts import on_draft_reply, on_edit_draft, on_send_draft
from bot.desk.notify import desk_of
from bot.desk.outbox import Relay, deliver_relay
from bot.desk.service import RelayTarget
from bot.engine.vocabulary import DeskMessageKind
from bot.learned import pack_yaml
from bot.telegram.context import BotContext
from db.learned import learn_from_question, learned_for_question, list_learned_answers

log = logging.getLogger(__name__)
Tap = Callable[[Update, BotContext, DeskTap], Awaitable[str | None]]  # returns the tap's toast, if any


async def on_desk_button(update: Update, context: BotContext) -> None:
    """A desk button in an admin chat: do it, then acknowledge the tap (with a short toast where useful)."""
    query = update.callback_query
    assert query is not None
    pressed, desk = decode(query.data), desk_of(context.application)
    act = TAPS.get(pressed.action) if pressed is not None else None
    toast = await act(update, context, pressed) if act is not None and pressed is not None else desk.line(desk.text.handoff.gone)
    await query.answer(text=as_plain(toast) if toast else None)  # a toast is plain text, not HTML


async def _status(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    """Contacted / Quoted / Booked / Lost on a card: record the change, then edit the lead's card in every admin chat."""
    status, desk = tap.status, desk_of(context.application)
    card = await card_of(update, context, tap.number or 0)
    if card is None or card.lead_id is None:
        return desk.line(desk.text.handoff.gone)
    lead_id = card.lead_id
    change = await service(context).set_status(actor_of(update), lead_id, status, claim_of(update))
    if change.lead is None:
        return desk.line(desk.text.handoff.gone)
    if change.event is None:
        return desk.line(desk.text.handoff.status_same, status=desk.text.status(status))
    log.info("lead status changed", extra={"lead_id": lead_id})
    await sender(context).refresh(lead_id)
    return desk.line(desk.text.handoff.status_changed, status=desk.text.status(status))


async def _prompt(update: Update, context: BotContext, kind: DeskMessageKind) -> str | None:
    """Note / Reply: ask for the words as a reply to a prompt that remembers what it is about."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    box, desk = sender(context), desk_of(context.application)
    about = await box.tracked(update.effective_chat.id, message.message_id)
    if about is None or (kind is DeskMessageKind.NOTE_PROMPT and about.lead_id is None):
        return desk.line(desk.text.handoff.gone)
    async with service(context).unit(actor_of(update), claim_of(update)):
        pass  # nothing stored until the words come: the tap is checked and claimed
    handoff = desk.text.handoff
    if kind is DeskMessageKind.NOTE_PROMPT:
        text = desk.line(handoff.note_prompt, lead_id=about.lead_id)
    else:
        text = desk.line(handoff.reply_prompt, who=box.who(about))
    await box.prompt(update.effective_chat.id, about, kind, text)
    return None


async def _note(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    return await _prompt(update, context, DeskMessageKind.NOTE_PROMPT)


async def _reply(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    return await _prompt(update, context, DeskMessageKind.REPLY_PROMPT)


async def _history(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    desk = desk_of(context.application)
    card = await card_of(update, context, tap.number or 0)
    if card is None or card.lead_id is None:
        return desk.line(desk.text.handoff.gone)
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
        text = await history_text(session, desk, card.lead_id)
    await say(update, context, text)
    return None


async def _open(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    await show_lead(update, context, tap.number or 0)
    return None


async def _page(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    """Newer / Older / a status filter: the list is edited in place."""
    key, page = str(tap.word), tap.number or 0  # the codec checked both
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
        text, markup = await leads_page(session, desk_of(context.application), key, page)
    assert update.callback_query is not None
    await update.callback_query.edit_message_text(text, reply_markup=markup)
    return None


async def _learn(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    """Save as answer for everyone: the question and the photographer's answer become a learned answer."""
    question_id, desk, services, actor = tap.number or 0, desk_of(context.application), context.services, actor_of(update)
    try:
        async with service(context).unit(actor, claim_of(update)) as session:
            learned, created = await learn_from_question(session, question_id, actor.name)
    except IntegrityError:  # a double tap saved it a moment ago
        async with services.sessionmaker() as session:
            learned, created = await learned_for_question(session, question_id), False
    if learned is None:
        return desk.line(desk.text.learned.nothing)
    if not created:
        return desk.line(desk.text.learned.already, learned_id=learned.id)
    await services.learned.reload(services.sessionmaker)
    log.info("learned answer saved", extra={"learned_id": learned.id})
    query = update.callback_query
    assert query is not None and query.message is not None
    saved = desk.line(desk.text.learned.saved, learned_id=learned.id)
    await query.edit_message_text(f"{getattr(query.message, 'text_html', '')}\n\n{saved}".strip())
    return None


async def _export_learned(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    """Export as YAML: the learned answers in the knowledge pack's file format."""
    assert update.effective_chat is not None
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
        rows = await list_learned_answers(session)
    document = pack_yaml(rows).encode("utf-8")
    await context.bot.send_document(update.effective_chat.id, document=document, filename="learned.yaml")
    return None


TAPS: dict[Action, Tap] = {
    Action.STATUS: _status,
    Action.NOTE: _note,
    Action.REPLY: _reply,
    Action.HISTORY: _history,
    Action.OPEN: _open,
    Action.PAGE: _page,
    Action.LEARN: _learn,
    Action.EXPORT_LEARNED: _export_learned,
    Action.SEND_DRAFT: on_send_draft,
    Action.EDIT_DRAFT: on_edit_draft,
}


async def on_admin_reply(update: Update, context: BotContext) -> None:
    """A reply to a card, a notice or a prompt: a note on the lead, an edited follow-up, or words relayed to the prospect."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None and update.effective_chat is not None
    box, desk, chat_id = sender(context), desk_of(context.application), update.effective_chat.id
    target = await box.tracked(chat_id, message.reply_to_message.message_id)
    if target is None:
        await say(update, context, desk.line(desk.text.handoff.not_linked))
        return
    if target.kind is DeskMessageKind.NOTE_PROMPT and target.lead_id is not None:
        await service(context).add_note(actor_of(update), target.lead_id, message.text or "", claim_of(update))
        await say(update, context, desk.line(desk.text.handoff.note_saved, lead_id=target.lead_id))
        return
    if target.kind is DeskMessageKind.DRAFT_PROMPT and target.lead_id is not None:
        await on_draft_reply(update, context, target)
        return
    to = RelayTarget(target.prospect_chat_id, target.lead_id, target.question_id, chat_id)
    # Checked, claimed and owed in one transaction: a redelivered reply is not sent twice, a crash does not lose it.
    item_id = await service(context).relay(actor_of(update), to, message.text or "", box.relay_html, claim_of(update))
    relayed = await deliver_relay(box, item_id)
    if relayed is None:
        return  # the outbox job is sending it, and tells this chat
    if relayed.result is Relay.LATER:
        await say(update, context, desk.line(desk.text.handoff.queued, who=box.who(target)))
        return
    await box.confirm_relay(chat_id, box.who(target), target.question_id, relayed.error)
