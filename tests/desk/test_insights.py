"""The suggested follow-up in each new lead's card: the template's rules, the model's checked answer, Send and Edit."""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, select

from bot.content import PACKAGED_PROMPTS, ContentPack, load_content
from bot.desk.cards import Desk
from bot.desk.content import DeskContent, load_desk_content
from bot.desk.insights import TemplateOrganiser, availability_words, facts_for_model, fill_plain
from bot.engine.vocabulary import Direction, InsightSource, LeadStatus, Priority
from bot.errors import ContentError
from bot.services import Services, build_services
from db.base import utcnow
from db.insights import claim_draft, get_insight, release_draft, save_insight
from db.leads import create_lead
from db.messages import recent_messages
from db.models import DeskMessage, Lead, LeadInsight
from tests.conftest import ADMIN_CHAT_ID, make_settings, studio_prompts
from tests.desk.conftest import PROSPECT, DeskBot, book, buttons_of, card_in, follow_up, say, shown, tap
from tests.fakes.openai_server import FakeOpenAI, Request, Scripted
from tests.fakes.telegram_server import FakeTelegram

TODAY = date(2026, 11, 29)
FAST_RETRY = {"retry-after-ms": "10"}
TEAM = "I'm Dana, team headshots for 12 people, free weekday mornings, dana@example.com"
MODEL_DRAFT = "Hi Dana, thank you for thinking of us! Thursday morning suits me; I'll confirm the exact time shortly."
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")


# ---- the template's rules ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def desk(content: ContentPack) -> Desk:
    """The shipped wording, in the default zone."""
    return Desk(content, load_desk_content(), ZoneInfo("America/Vancouver"))


def _lead(**fields: object) -> Lead:
    values: dict[str, object] = {"id": 7, "status": LeadStatus.NEW, "chat_id": 42, "name": "Dana Lee", "intended_use": "linkedin",
                                 "availability": [], "email": "dana@example.com"}  # fmt: skip
    return Lead(**(values | fields))


def _on(day: date, part: str = "morning") -> list[dict[str, str | None]]:
    return [{"date": day.isoformat(), "weekday": None, "part_of_day": part}]


@pytest.mark.parametrize(
    ("fields", "priority", "reason"),
    [
        ({}, Priority.NORMAL, "no deadline and no large team"),
        ({"people": 11, "intended_use": "team"}, Priority.HIGH, "a team of 11"),
        ({"people": 10, "intended_use": "team"}, Priority.NORMAL, "no deadline and no large team"),
        ({"availability": _on(TODAY + timedelta(days=4))}, Priority.HIGH, "free Thu Dec 3, morning, within 7 days"),
        ({"availability": _on(TODAY + timedelta(days=8))}, Priority.NORMAL, "no deadline and no large team"),
        ({"notes": "We need them ASAP"}, Priority.HIGH, "the notes mention a deadline"),
        ({"people": 12, "availability": _on(TODAY + timedelta(days=2), "afternoon")}, Priority.HIGH,
         "a team of 12, free Tue Dec 1, afternoon, within 7 days"),
        ({"email": None}, Priority.LOW, "no dates and no email or phone yet"),
        ({"email": None, "phone": "+16045550123"}, Priority.NORMAL, "no deadline and no large team"),
    ],
)  # fmt: skip
def test_template_priority_follows_the_desks_rules(desk: Desk, fields: dict[str, object], priority: Priority, reason: str) -> None:
    insight = TemplateOrganiser(desk).compose(_lead(**fields), TODAY)
    assert (insight.priority, insight.reason, insight.source) == (priority, reason, InsightSource.TEMPLATE)


def test_template_summary_is_two_lines_of_the_leads_facts(desk: Desk) -> None:
    lead = _lead(intended_use="team", people=12, availability=_on(TODAY + timedelta(days=4)), notes="Annual report <b>soon</b>")
    summary = TemplateOrganiser(desk).compose(lead, TODAY).summary
    assert summary == "Dana Lee · Team / company headshots · 12 people\nWhen: Thu Dec 3, morning · Notes: Annual report <b>soon</b>"


def _numbers_allowed(pack: ContentPack, lead: Lead) -> set[str]:
    facts = " ".join(fact.value or "" for fact in pack.studio.facts.values())
    return set(_NUMBER_RE.findall(facts + availability_words(lead, pack)))


@pytest.mark.parametrize("use", ["linkedin", "team", "other", None])
def test_template_draft_uses_the_leads_facts_and_only_the_studios_numbers(desk: Desk, use: str | None) -> None:
    lead = _lead(intended_use=use, people=12 if use == "team" else None, availability=_on(TODAY + timedelta(days=4)),
                 notes="budget is $99, 50% off?")  # fmt: skip
    draft = TemplateOrganiser(desk).compose(lead, TODAY).draft
    assert draft.startswith("Hi Dana, ") and "Thu Dec 3, morning" in draft
    assert desk.text.insights.uses[use or "other"] in draft
    assert (desk.pack.fact("team_pricing") if use == "team" else desk.pack.fact("packages")) in draft
    assert set(_NUMBER_RE.findall(draft)) <= _numbers_allowed(desk.pack, lead)


def test_template_draft_says_the_photographer_will_confirm_an_unset_price(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(studio_prompts(), prompts)
    studio = yaml.safe_load((prompts / "studio.yaml").read_text())
    studio["facts"]["packages"]["value"] = None
    (prompts / "studio.yaml").write_text(yaml.safe_dump(studio))
    desk = Desk(load_content(prompts), load_desk_content(prompts), ZoneInfo("America/Vancouver"))
    draft = TemplateOrganiser(desk).compose(_lead(name=None, availability=[]), TODAY).draft
    assert draft.startswith("Hi there, ") and "Which days and times suit you best?" in draft
    assert "Packages and prices: Alex Morgan will confirm this with you." in draft
    assert "CAD" not in draft and _NUMBER_RE.findall(draft) == []


def test_prospect_text_is_never_read_as_a_template(desk: Desk) -> None:
    lead = _lead(name="{packages} Smith", intended_use="other", intended_use_text="{team_pricing}", notes="{city}")
    insight = TemplateOrganiser(desk).compose(lead, TODAY)
    assert "CAD" not in insight.summary and "{team_pricing}" in insight.summary and "{city}" in insight.summary
    assert insight.draft.startswith("Hi {packages}, ")


def test_the_model_is_never_given_an_email_or_a_phone_number(desk: Desk) -> None:
    lead = _lead(intended_use="other", intended_use_text="book cover, write to dana@example.com",
                 notes="Call +1 (604) 555-0123 or 604 555 0123; a team of 12 on Dec 3", phone="+16045550123")  # fmt: skip
    facts = facts_for_model(lead, desk)
    sent = json.dumps(facts)
    assert "dana@example.com" not in sent and "555" not in sent and "Lee" not in sent
    assert facts["notes"] == "Call [phone] or [phone]; a team of 12 on Dec 3" and facts["has_email"] and facts["has_phone"]
    assert facts_for_model(_lead(intended_use_text="LinkedIn, dana@example.com"), desk)["use_in_their_words"] is None


def test_every_insight_template_fills_with_the_values_the_bot_gives(desk: Desk) -> None:
    text = desk.text.insights
    html = {"message": dict.fromkeys(("lead_id", "source", "summary", "priority", "reason", "draft"), "x"),
            "sent": {"actor": "x", "when": "x"}, "sent_edited": {"actor": "x", "when": "x"},
            "already_sent": {"actor": "x", "when": "x"}, "edit_prompt": {"who": "x", "draft": "x"}}  # fmt: skip
    for name, values in html.items():
        desk.line(getattr(text, name), **values)
    plain = {"summary_who": ("name", "use"), "summary_team": ("name", "use", "people"), "summary_when": ("availability",),
             "summary_notes": ("availability", "notes"), "when_dated": ("availability",), "when_open": (), "prices": (),
             "team_prices": (), "draft": ("first_name", "use", "when", "prices"), "no_name": (), "first_name_missing": ()}  # fmt: skip
    for name, keys in plain.items():
        assert "{" not in fill_plain(getattr(text, name), desk.pack, **dict.fromkeys(keys, "x")), name
    reasons = {"team": ("people",), "soon": ("when", "days"), "deadline": (), "vague": (), "normal": ()}
    for name, keys in reasons.items():
        assert "{" not in fill_plain(getattr(text.reasons, name), desk.pack, **dict.fromkeys(keys, "x")), name


def test_desk_yaml_must_word_every_priority(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKAGED_PROMPTS / "desk.yaml").read_text())
    del data["insights"]["priorities"]["low"]
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError, match=r"insights\.priorities"):
        load_desk_content(tmp_path)
    assert isinstance(load_desk_content(), DeskContent)


# ---- storage, on SQLite and PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    """Services on a migrated, empty database of each kind."""
    built = build_services(make_settings(database_url))
    yield built
    await built.close()


async def test_a_draft_is_claimed_once_until_released(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        lead = await create_lead(session, chat_id=42, name="Dana", availability=[])
        await save_insight(session, lead.id, summary="s", priority=Priority.HIGH, reason="r", draft="d", source=InsightSource.LLM)
    claims = []
    for actor in ("Anna", "Ben"):
        async with services.sessionmaker.begin() as session:
            claims.append(await claim_draft(session, lead.id, actor, utcnow(), edited=False))
    async with services.sessionmaker() as session:
        insight = await get_insight(session, lead.id)
    assert claims == [True, False] and insight is not None and insight.sent_by == "Anna"
    async with services.sessionmaker.begin() as session:
        await release_draft(session, lead.id)
        assert await claim_draft(session, lead.id, "Ben", utcnow(), edited=True)


async def test_an_insight_goes_with_its_lead(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        lead = await create_lead(session, chat_id=42, name="Dana", availability=[])
        await save_insight(session, lead.id, summary="s", priority=Priority.LOW, reason="r", draft="d", source=InsightSource.TEMPLATE)
    async with services.sessionmaker.begin() as session:
        await session.delete(lead)
    async with services.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(LeadInsight))).scalar_one() == 0


# ---- end to end: the real Application, the fake Bot API and the fake model ------------------------------------------


@pytest.fixture
async def model_bot(desk_bot_factory: Callable[..., DeskBot], fake_openai: FakeOpenAI) -> DeskBot:
    """A running desk bot with a model on the fake server."""
    bot = desk_bot_factory(openai_api_key="sk-test", openai_base_url=fake_openai.base_url, openai_timeout=1.0)
    await bot.start()
    return bot


def model_says(summary: str, priority: str, reason: str, draft: str) -> Scripted:
    return Scripted(json.dumps({"summary": summary, "priority": priority, "reason": reason, "draft": draft}))


def insight_requests(fake: FakeOpenAI) -> list[Request]:
    return [r for r in fake.completions() if r.body.get("response_format", {}).get("json_schema", {}).get("name") == "lead_insight"]


def received(fake: FakeTelegram, words: str) -> int:
    """How many messages to the prospect contain these words."""
    return sum(words in shown(call) for call in fake.sent_messages(PROSPECT))


async def test_with_a_model_the_follow_up_shows_its_summary_priority_and_draft(
    model_bot: DeskBot, fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_openai.script(model_says("Dana Lee: LinkedIn headshots\nFree next Thursday morning", "high", "wants it this week", MODEL_DRAFT))
    await book(model_bot.fake, notes="A grey backdrop <b>please</b>")
    await card_in(model_bot.fake, ADMIN_CHAT_ID, 1)
    message = await follow_up(model_bot.fake)
    text = shown(message)
    assert "drafted by the model" in text and "Dana Lee: LinkedIn headshots\nFree next Thursday morning" in text
    assert "Priority: High, wants it this week" in text and MODEL_DRAFT in text
    assert message.method == "editMessageText" and list(buttons_of(message))[-2:] == ["Send draft", "Edit draft"]
    [request] = insight_requests(fake_openai)
    assert fake_openai.completions() == [request]  # the booking itself needed no model
    assert request.body["temperature"] == 0 and request.messages[0]["role"] == "system"
    assert "A grey backdrop <b>please</b>" in request.prompt and "dana@example.com" not in request.prompt
    assert received(model_bot.fake, "Thursday morning suits me") == 0  # nothing is sent without a tap
    async with model_bot.svc.sessionmaker() as session:
        insight = await get_insight(session, 1)
    assert insight is not None and (insight.source, insight.priority, insight.draft) == (InsightSource.LLM, Priority.HIGH, MODEL_DRAFT)
    logged = " ".join(r.getMessage() for r in caplog.records).lower()
    assert "dana" not in logged and "thursday" not in logged


async def test_send_draft_delivers_exactly_the_draft_once(model_bot: DeskBot, fake_openai: FakeOpenAI) -> None:
    fake = model_bot.fake
    fake_openai.script(model_says("Dana Lee: LinkedIn", "normal", "no rush", MODEL_DRAFT))
    await book(fake)
    message = await follow_up(fake)
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    await fake.wait_for_call("answerCallbackQuery", lambda c: str(c.params.get("text")).startswith("Already sent by Dana Lee"))
    delivered = await fake.wait_for_text(PROSPECT, "Thursday morning suits me")
    assert shown(delivered).endswith(MODEL_DRAFT) and received(fake, MODEL_DRAFT) == 1
    edit = await fake.wait_for_call("editMessageText", lambda c: "Sent by Dana Lee" in shown(c))
    assert edit.params["message_id"] == fake.message_id_of(message) and "Send draft" not in buttons_of(edit)
    assert "Booked" in buttons_of(edit)  # the card's own buttons stay
    async with model_bot.svc.sessionmaker() as session:
        log = await recent_messages(session, PROSPECT, limit=50)
    assert sum(m.direction is Direction.OUT and MODEL_DRAFT in html.unescape(m.text) for m in log) == 1  # logged as sent, HTML


async def test_edit_draft_sends_the_photographers_words_instead(model_bot: DeskBot, fake_openai: FakeOpenAI) -> None:
    fake = model_bot.fake
    fake_openai.script(model_says("Dana Lee: LinkedIn", "normal", "no rush", MODEL_DRAFT))
    await book(fake)
    message = await follow_up(fake)
    tap(fake, ADMIN_CHAT_ID, message, "Edit draft")
    prompt = await fake.wait_for_text(ADMIN_CHAT_ID, "Tap the draft to copy it")
    assert prompt.params["reply_markup"]["force_reply"] is True and MODEL_DRAFT in shown(prompt)
    fake.push_text(ADMIN_CHAT_ID, "Hi Dana, would Friday at 10 suit you instead?", reply_to_message_id=fake.message_id_of(prompt))
    await fake.wait_for_text(PROSPECT, "would Friday at 10 suit you instead?")
    await fake.wait_for_text(ADMIN_CHAT_ID, "Sent to lead #1")
    await fake.wait_for_call("editMessageText", lambda c: "Your edited version was sent by Dana Lee" in shown(c))
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")  # the old buttons, tapped anyway: the follow-up went out already
    await fake.wait_for_call("answerCallbackQuery", lambda c: str(c.params.get("text")).startswith("Already sent"))
    assert received(fake, MODEL_DRAFT) == 0 and received(fake, "Friday at 10") == 1


async def test_without_a_model_the_template_draft_is_offered_and_sent_on_a_tap(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake, text=TEAM, notes="Tight deadline for our annual report.")
    message = await follow_up(fake)
    text = shown(message)
    assert "from your template" in text and "Priority: High, a team of 12, the notes mention a deadline" in text
    [lead] = await desk_bot.leads()
    async with desk_bot.svc.sessionmaker() as session:
        insight = await get_insight(session, lead.id)
    assert insight is not None and insight.source is InsightSource.TEMPLATE and insight.draft in text
    assert set(_NUMBER_RE.findall(insight.draft)) <= _numbers_allowed(desk_bot.svc.content, lead)
    assert received(fake, "Hi Dana") == 0
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    delivered = await fake.wait_for_text(PROSPECT, "thank you for your request for team headshots")
    assert shown(delivered).endswith(insight.draft)


async def test_a_model_draft_with_an_invented_number_falls_back_to_the_template(model_bot: DeskBot, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(model_says("Dana Lee: LinkedIn", "high", "keen", "Hi Dana! Book today and get 20% off: just CAD 199."))
    await book(model_bot.fake)
    text = shown(await follow_up(model_bot.fake))
    assert "from your template" in text and "20%" not in text and "199" not in text
    assert "thank you for your request for LinkedIn headshots" in text


async def test_the_card_arrives_while_the_model_is_slow_and_the_template_follows(
    desk_bot_factory: Callable[..., DeskBot], fake_openai: FakeOpenAI
) -> None:
    bot = desk_bot_factory(openai_api_key="sk-test", openai_base_url=fake_openai.base_url, openai_timeout=0.3)
    await bot.start()
    fake_openai.script(*[Scripted(model_says("late", "high", "late", "late").content, delay=1.0)] * 3)
    await book(bot.fake)
    card = await card_in(bot.fake, ADMIN_CHAT_ID, 1)
    message = await follow_up(bot.fake, timeout=15)
    assert message.at - card.at >= 0.9  # three timed-out attempts came after the card, not before it
    assert "from your template" in shown(message) and len(insight_requests(fake_openai)) == 3


async def test_a_failing_model_never_blocks_the_card(model_bot: DeskBot, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(*[Scripted(status=500, headers=FAST_RETRY)] * 3)
    await book(model_bot.fake)
    await card_in(model_bot.fake, ADMIN_CHAT_ID, 1)
    assert "from your template" in shown(await follow_up(model_bot.fake))
    assert len(insight_requests(fake_openai)) == 3  # the client's bounded retries, then the template


async def test_send_draft_works_after_a_restart(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    message = await follow_up(fake)
    await desk_bot.stop()
    await desk_bot.start()
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    await fake.wait_for_text(PROSPECT, "thank you for your request for LinkedIn headshots")


async def test_a_refused_send_can_be_tried_again(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    message = await follow_up(fake)
    fake.fail_next("sendMessage", status=403)
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    await fake.wait_for_text(ADMIN_CHAT_ID, "Could not deliver to lead #1")
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    await fake.wait_for_text(PROSPECT, "thank you for your request")
    assert received(fake, "thank you for your request") == 1


async def test_forget_removes_the_follow_up_and_its_buttons_do_nothing(desk_bot: DeskBot) -> None:
    fake = desk_bot.fake
    await book(fake)
    message = await follow_up(fake)
    prompt = await say(fake, PROSPECT, "/forget", "Delete everything?")
    fake.push_callback(PROSPECT, buttons_of(prompt)["Yes, delete everything"], message_id=fake.message_id_of(prompt))
    await fake.wait_for_text(PROSPECT, "Everything I kept about you is deleted")
    async with desk_bot.svc.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(LeadInsight))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(DeskMessage))).scalar_one() == 0
    tap(fake, ADMIN_CHAT_ID, message, "Send draft")
    await fake.wait_for_call("answerCallbackQuery", lambda c: c.params.get("text") == "That lead or message no longer exists.")
    assert received(fake, "thank you for your request") == 0

