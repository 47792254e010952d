"""Who may use the desk: people, not chats; assistants added by a one-time code and taken off again; no channels."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.desk.service import Actor, DeskService, Redemption
from bot.engine.vocabulary import LeadStatus
from bot.services import build_services
from db.desk import lead_events
from db.models import DeskAssistant, DeskInvitation, ProcessedUpdate
from tests.conftest import make_settings
from tests.desk.conftest import PROSPECT, DeskBot, book, buttons_of, card_in
from tests.fakes.telegram_server import Call, FakeTelegram, _ApiError, _Request

GROUP = -1_001_234_500  # the studio's admin group
PHOTOGRAPHER = 31_337  # in ADMIN_USER_IDS
MEMBER = 777  # in the group, but not one of the desk's people
REFUSED = "Only the studio's desk people can do that"


@pytest.fixture
def group_desk(desk_bot_factory: Callable[..., DeskBot]) -> DeskBot:
    """A bot whose admin chat is a group, with one photographer named in ADMIN_USER_IDS (not started)."""
    return desk_bot_factory(admin_chat_ids=(GROUP,), admin_user_ids=(PHOTOGRAPHER,))


def tap(fake: FakeTelegram, chat_id: int, call: Call, label: str, *, user_id: int) -> int:
    """A group member taps a button of a message the bot sent to the group."""
    return fake.push_callback(chat_id, buttons_of(call)[label], message_id=fake.message_id_of(call), user_id=user_id,
                              chat_type="supergroup")  # fmt: skip


async def _answer(fake: FakeTelegram, text: str) -> None:
    await fake.wait_for_call("answerCallbackQuery", lambda c: str(c.params.get("text", "")).startswith(text))


async def test_a_group_member_not_on_the_desk_cannot_move_a_lead_but_the_photographer_can(group_desk: DeskBot) -> None:
    await group_desk.start()
    fake = group_desk.fake
    await book(fake)
    card = await card_in(fake, GROUP, 1)
    tap(fake, GROUP, card, "Booked", user_id=MEMBER)
    await _answer(fake, REFUSED)
    [lead] = await group_desk.leads()
    assert lead.status is LeadStatus.NEW and fake.calls_to("editMessageText") == []
    tap(fake, GROUP, card, "Booked", user_id=PHOTOGRAPHER)
    await _answer(fake, "Marked Booked.")
    async with group_desk.svc.sessionmaker() as session:
        [event] = await lead_events(session, 1)
    assert event.new_status is LeadStatus.BOOKED


async def test_a_group_member_not_on_the_desk_cannot_export_the_leads(group_desk: DeskBot) -> None:
    await group_desk.start()
    fake = group_desk.fake
    await book(fake)
    await card_in(fake, GROUP, 1)
    fake.push_text(GROUP, "/export", user_id=MEMBER, chat_type="supergroup")
    await fake.wait_for_text(GROUP, REFUSED)
    fake.push_text(GROUP, "/export", user_id=PHOTOGRAPHER, chat_type="supergroup")
    document = await fake.wait_for_call("sendDocument")
    assert document.params["chat_id"] == GROUP and len(fake.calls_to("sendDocument")) == 1


async def test_a_tap_acts_on_the_lead_of_the_card_it_is_on_not_the_one_its_data_names(group_desk: DeskBot) -> None:
    await group_desk.start()
    fake = group_desk.fake
    await book(fake)
    await book(fake, 4343, "I'm Sam, dating profile, this weekend, sam@example.com", user_id=4343, first_name="Sam")
    first = await card_in(fake, GROUP, 1)
    await card_in(fake, GROUP, 2)
    forged = buttons_of(first)["Booked"].replace(":1:", ":2:")  # lead 2's button data on lead 1's card
    fake.push_callback(GROUP, forged, message_id=fake.message_id_of(first), user_id=PHOTOGRAPHER, chat_type="supergroup")
    await _answer(fake, "That lead or message no longer exists.")
    assert [lead.status for lead in await group_desk.leads()] == [LeadStatus.NEW, LeadStatus.NEW]


async def test_a_refused_tap_is_not_claimed_so_it_works_once_its_sender_is_on_the_desk(group_desk: DeskBot) -> None:
    await group_desk.start()
    fake = group_desk.fake
    await book(fake)
    card = await card_in(fake, GROUP, 1)
    update_id = tap(fake, GROUP, card, "Booked", user_id=MEMBER)
    await _answer(fake, REFUSED)
    async with group_desk.svc.sessionmaker() as session:
        assert await session.get(ProcessedUpdate, (group_desk.svc.settings.bot_id, update_id)) is None
    desk = DeskService(group_desk.svc.sessionmaker, group_desk.svc.settings)
    invitation = await desk.invite(Actor.terminal())
    assert await desk.redeem(MEMBER, "Sam Member", invitation.code) is Redemption.JOINED
    fake.redeliver(update_id)
    await _answer(fake, "Marked Booked.")
    [lead] = await group_desk.leads()
    assert lead.status is LeadStatus.BOOKED


async def test_an_invited_assistant_joins_in_a_private_chat_and_is_taken_off_by_revoke(
    group_desk: DeskBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", group_desk.settings.database_url)
    await group_desk.start()
    fake = group_desk.fake
    assert await asyncio.to_thread(main, ["desk", "invite"]) == 0
    code = re.search(r"Invitation code: (\S+)", capsys.readouterr().out)
    assert code is not None
    fake.push_text(MEMBER, f"/join {code.group(1)}", user_id=MEMBER, first_name="Sam", last_name="Member")
    await fake.wait_for_text(MEMBER, "Welcome to the desk")
    async with group_desk.svc.sessionmaker() as session:
        assistant = await session.get(DeskAssistant, MEMBER)
        [invitation] = (await session.execute(select(DeskInvitation))).scalars()
    assert assistant is not None and assistant.name == "Sam Member" and assistant.invited_by == "cli"
    assert invitation.redeemed_by == MEMBER and invitation.redeemed_at is not None
    assert code.group(1).replace("-", "") not in invitation.code_hash  # only its hash is kept
    await book(fake)
    card = await card_in(fake, GROUP, 1)
    tap(fake, GROUP, card, "Contacted", user_id=MEMBER)
    await _answer(fake, "Marked Contacted.")
    assert await asyncio.to_thread(main, ["desk", "revoke", str(MEMBER)]) == 0
    tap(fake, GROUP, card, "Booked", user_id=MEMBER)
    await _answer(fake, REFUSED)
    [lead] = await group_desk.leads()
    assert lead.status is LeadStatus.CONTACTED


async def test_an_invitation_works_once_and_not_after_it_expires(group_desk: DeskBot) -> None:
    await group_desk.start()
    fake = group_desk.fake
    desk = DeskService(group_desk.svc.sessionmaker, group_desk.svc.settings)
    code = (await desk.invite(Actor.terminal())).code
    fake.push_text(MEMBER, f"/join {code.lower()}", user_id=MEMBER)
    await fake.wait_for_text(MEMBER, "Welcome to the desk")
    fake.push_text(PROSPECT, f"/join {code}", user_id=PROSPECT)  # the same code, someone else
    await fake.wait_for_text(PROSPECT, "That invitation code does not work")
    expired = (await desk.invite(Actor.terminal(), timedelta(seconds=-1))).code
    fake.push_text(4343, f"/join {expired}", user_id=4343)
    await fake.wait_for_text(4343, "That invitation code does not work")
    async with group_desk.svc.sessionmaker() as session:
        assistants = list((await session.execute(select(DeskAssistant.user_id))).scalars())
    assert assistants == [MEMBER]


def test_revoking_someone_who_is_not_an_assistant_says_so(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["desk", "revoke", "12345"]) == 1
    assert "not an assistant" in capsys.readouterr().err


class ChannelTelegram(FakeTelegram):
    """The fake Bot API, answering getChat with a channel for negative chat ids."""

    def __init__(self) -> None:
        super().__init__()
        self._handlers["getchat"] = ("getChat", self._get_chat)

    def _get_chat(self, req: _Request) -> dict[str, object]:
        chat_id = req.params.get("chat_id")
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        chat: dict[str, object] = {"id": chat_id, "type": "channel", "title": "Studio news"} if chat_id < 0 else {
            "id": chat_id, "type": "private", "first_name": "Anna"}
        return chat | {"accent_color_id": 0, "max_reaction_count": 11}


def test_a_channel_as_admin_chat_is_refused_at_start_with_one_line(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    with ChannelTelegram() as fake:
        for name, value in (("TELEGRAM_BOT_TOKEN", fake.token), ("TELEGRAM_API_BASE_URL", fake.base_url),
                            ("DATABASE_URL", sqlite_url), ("ADMIN_CHAT_IDS", "-1001234500")):  # fmt: skip
            monkeypatch.setenv(name, value)
        assert main(["run"]) == 2
        assert fake.calls_to("getUpdates") == []  # refused before taking a single update
    err = capsys.readouterr().err
    assert "configuration error: ADMIN_CHAT_IDS: -1001234500 is a channel" in err and "Traceback" not in err


async def test_people_named_by_the_settings_are_the_admin_user_ids_and_private_admin_chats(sqlite_url: str) -> None:
    services = build_services(make_settings(sqlite_url, admin_chat_ids=(GROUP, 900_001), admin_user_ids=(PHOTOGRAPHER,)))
    try:
        assert services.settings.desk_user_ids == {PHOTOGRAPHER, 900_001}  # a group's id is nobody's
    finally:
        await services.close()
