"""Send draft and Edit draft on a lead's card: its suggested follow-up reaches the prospect only on a tap, and once."""

from __future__ import annotations

import logging

from telegram import Update

from bot.desk.callbacks import DeskTap
from bot.desk.commands import actor_of, card_of, claim_of, say, sender, service
from bot.desk.notify import desk_of
from bot.desk.outbox import Relay, deliver_relay
from bot.desk.service import RelayTarget
from bot.engine.vocabulary import DeskMessageKind
from bot.telegram.context import BotContext
from db.insights import get_insight
from db.models import DeskMessage

log = logging.getLogger(__name__)


async def on_send_draft(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    """Send draft: the stored draft goes to the prospect as a Reply would, unless it went out already."""
    desk = desk_of(context.application)
    about = await card_of(update, context, tap.number or 0)
    if about is None:
        return desk.line(desk.text.handoff.gone)
    return await _send_once(update, context, about, None)


async def on_edit_draft(update: Update, context: BotContext, tap: DeskTap) -> str | None:
    """Edit draft: a prompt showing the draft to copy; the photographer's reply to it is sent instead of the draft."""
    desk, box = desk_of(context.application), sender(context)
    about = await card_of(update, context, tap.number or 0)
    if about is None or about.lead_id is None:
        return desk.line(desk.text.handoff.gone)
    async with service(context).unit(actor_of(update), claim_of(update)) as session:
        insight = await get_insight(session, about.lead_id)
    if insight is None:
        return desk.line(desk.text.handoff.gone)
    if insight.sent_at is not None:
        return desk.line(desk.text.insights.already_sent, actor=insight.sent_by, when=desk.when(insight.sent_at))
    assert update.effective_chat is not None
    text = desk.line(desk.text.insights.edit_prompt, who=box.who(about), draft=insight.draft)
    await box.prompt(update.effective_chat.id, about, DeskMessageKind.DRAFT_PROMPT, text)
    return None


async def on_draft_reply(update: Update, context: BotContext, target: DeskMessage) -> None:
    """A reply to the Edit draft prompt: these words are sent as the lead's follow-up, unless one went out already."""
    assert update.effective_message is not None
    outcome = await _send_once(update, context, target, update.effective_message.text or "")
    if outcome is not None:
        await say(update, context, outcome)


async def _send_once(update: Update, context: BotContext, target: DeskMessage, words: str | None) -> str | None:
    """Claim the lead's follow-up and owe it to the prospect in one transaction, send it (the draft, or the edited
    words) and show it went out; a line to show, if any."""
    assert target.lead_id is not None and update.effective_chat is not None
    box, desk, chat_id = sender(context), desk_of(context.application), update.effective_chat.id
    to = RelayTarget(target.prospect_chat_id, target.lead_id, None, chat_id)
    drafted = await service(context).claim_draft(actor_of(update), to, words, box.relay_html, claim_of(update), box.screen.foreign)
    insight = drafted.insight
    if insight is None:
        return desk.line(desk.text.handoff.gone)
    if drafted.refused:  # drafted before the screen existed, or changed since: never sent in the studio's name
        log.warning("stored draft not sent: not only the studio's facts", extra={"lead_id": target.lead_id})
        return desk.line(desk.text.insights.refused, quotes=", ".join(drafted.refused))
    if not drafted.claimed or drafted.item_id is None:  # a second tap, another admin first, or a double-delivered reply
        assert insight.sent_at is not None
        return desk.line(desk.text.insights.already_sent, actor=insight.sent_by, when=desk.when(insight.sent_at))
    relayed = await deliver_relay(box, drafted.item_id)
    if relayed is None:
        return None  # the outbox job is sending it, and tells this chat
    if relayed.result is Relay.LATER:
        return desk.line(desk.text.handoff.queued, who=box.who(target))
    if relayed.error is not None:
        await box.confirm_relay(chat_id, box.who(target), None, relayed.error)
        return None
    return desk.line(desk.text.handoff.sent, who=box.who(target))
