"""Tests that the fake Telegram server speaks the Bot API the way python-telegram-bot expects."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, EndPointNotFound, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.fakes import FakeTelegram

CHAT = 4242


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest_asyncio.fixture  # explicit, so it also works under asyncio_mode=strict
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as client:
        yield client


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


@pytest.mark.asyncio
async def test_get_me_returns_the_bot_user(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "headshot_test_bot", True)
    assert bot.username == "headshot_test_bot"
    assert fake.calls_to("getMe")[0].status == 200


@pytest.mark.asyncio
async def test_send_message_records_decoded_params_and_echoes_message(
    fake: FakeTelegram, bot: Bot
) -> None:
    first = await bot.send_message(CHAT, "Pick a <b>package</b>", parse_mode="HTML",
                                   reply_markup=_keyboard("basic", "pro"))
    second = await bot.send_message(CHAT, "Thanks!")

    call = fake.sent_messages(CHAT)[0]
    assert call.params["chat_id"] == CHAT
    assert call.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "pro"
    assert fake.texts(CHAT) == ["Pick a <b>package</b>", "Thanks!"]
    assert second.message_id == first.message_id + 1 == fake.message_id_of(fake.calls[-1])
    assert first.text == "Pick a package" and first.from_user.is_bot and first.chat.id == CHAT
    assert first.reply_markup == _keyboard("basic", "pro")
    assert fake.sent_messages(999) == []


@pytest.mark.asyncio
async def test_get_updates_parses_every_pushed_update_kind(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "Choose", reply_markup=_keyboard("book"))
    fake.push_text(CHAT, "/start@headshot_test_bot promo")
    fake.push_callback(CHAT, "book", message_id=sent.message_id)
    fake.push_contact(CHAT, "+15551234567")
    fake.push_media(CHAT, "sticker")
    fake.push_media(CHAT, "photo", caption="my headshot")
    fake.push_media(CHAT, "location")
    fake.push_edited_text(CHAT, "edited", message_id=7)
    fake.push_my_chat_member(CHAT, blocked=True)
    fake.push_channel_post(-100123, "channel news")

    updates = await bot.get_updates()
    text, callback, contact, sticker, photo, location, edited, member, post = updates

    assert text.message.text.startswith("/start") and text.effective_user.id == CHAT
    entity = text.message.entities[0]
    assert entity.type == "bot_command"
    assert text.message.parse_entity(entity) == "/start@headshot_test_bot"
    assert callback.callback_query.data == "book"
    assert callback.callback_query.message.message_id == sent.message_id
    assert callback.callback_query.message.text == "Choose"
    assert callback.callback_query.message.reply_markup == _keyboard("book")
    assert contact.message.contact.phone_number == "+15551234567"
    assert contact.message.contact.user_id == CHAT
    assert sticker.message.sticker.emoji == "👍"
    assert photo.message.photo[-1].width == 1280 and photo.message.caption == "my headshot"
    assert location.message.location.latitude == pytest.approx(52.52)
    assert edited.edited_message.text == "edited" and edited.edited_message.edit_date
    assert member.my_chat_member.new_chat_member.status == "kicked"
    assert post.channel_post.text == "channel news" and post.channel_post.chat.type == "channel"
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    assert all(isinstance(u, Update) for u in updates)


@pytest.mark.asyncio
async def test_user_and_bot_messages_share_the_chat_message_counter(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.push_text(CHAT, "hi")
    (update,) = await bot.get_updates()
    reply = await bot.send_message(CHAT, "hello")
    assert reply.message_id == update.message.message_id + 1


@pytest.mark.asyncio
async def test_offset_confirms_updates_and_limit_caps_the_batch(
    fake: FakeTelegram, bot: Bot
) -> None:
    ids = [fake.push_text(CHAT, f"msg {i}") for i in range(3)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert fake.calls_to("getUpdates")[-1].params["offset"] == ids[2] + 1


@pytest.mark.asyncio
async def test_long_poll_wakes_up_on_push_and_honours_timeout(fake: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert 0.25 <= time.monotonic() - started < 2

    asyncio.get_running_loop().call_later(0.2, fake.push_text, CHAT, "late")
    started = time.monotonic()
    (update,) = await bot.get_updates(timeout=10)
    assert update.message.text == "late" and time.monotonic() - started < 2


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")  # PTB 22 int->timedelta
async def test_fail_next_429_raises_retry_after_then_recovers(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1)
    with pytest.raises(RetryAfter):
        await bot.send_message(CHAT, "too fast")
    await bot.send_message(CHAT, "ok now")
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]
    assert fake.texts(CHAT) == ["ok now"]


@pytest.mark.asyncio
async def test_fail_next_409_on_get_updates_raises_conflict(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("getUpdates", status=409, count=2)
    for _ in range(2):
        with pytest.raises(Conflict, match="only one bot instance"):
            await bot.get_updates()
    assert await bot.get_updates() == ()


@pytest.mark.asyncio
async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken, match="rejected"):
        async with Bot("999:WRONG", base_url=fake.base_url):
            pass
    assert fake.calls[-1].status == 401


@pytest.mark.asyncio
async def test_unknown_method_is_not_found(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendCarrierPigeon", api_kwargs={"chat_id": CHAT})
    assert fake.calls[-1].method == "sendCarrierPigeon" and fake.calls[-1].status == 404


@pytest.mark.asyncio
async def test_send_document_records_uploaded_bytes(fake: FakeTelegram, bot: Bot) -> None:
    content = b"%PDF-1.4\r\n--boundary-lookalike\r\n\r\n\x00\xff\xfe binary\r\n"
    message = await bot.send_document(CHAT, document=content, filename="price-list.pdf",
                                      caption="Our packages", reply_markup=_keyboard("book"))
    call = fake.calls_to("sendDocument")[0]
    assert call.files["document"] == content and call.filenames["document"] == "price-list.pdf"
    assert call.params["caption"] == "Our packages"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "book"
    assert message.document.file_name == "price-list.pdf"
    assert message.document.file_size == len(content) and message.caption == "Our packages"


@pytest.mark.asyncio
async def test_edit_and_commands_round_trip(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "Choose", reply_markup=_keyboard("a"))
    edited = await bot.edit_message_text("Chosen", chat_id=CHAT, message_id=sent.message_id)
    assert edited.text == "Chosen" and edited.reply_markup is None

    await bot.set_my_commands([("start", "Start over"), ("help", "Get help")])
    commands = await bot.get_my_commands()
    assert [c.command for c in commands] == ["start", "help"]
    assert fake.calls_to("setMyCommands")[0].params["commands"][1] == {
        "command": "help", "description": "Get help"}
    query_id = "4000000000000000001"  # numeric-looking ids must stay strings
    assert await bot.answer_callback_query(query_id) is True
    assert fake.calls_to("answerCallbackQuery")[0].params["callback_query_id"] == query_id


@pytest.mark.asyncio
async def test_telegram_validation_errors(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="text is empty"):
        await bot.send_message(CHAT, "   ")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(CHAT, "x", reply_markup=_keyboard("x" * 65))
    assert fake.sent_messages() == []


@pytest.mark.asyncio
async def test_webhook_info_and_drop_pending_updates(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_text(CHAT, "pending")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0


def test_json_and_get_requests_are_understood(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{fake.token}"
    body = json.dumps({"chat_id": CHAT, "text": "123", "reply_markup": {"inline_keyboard": []}})
    request = urllib.request.Request(f"{url}/sendMessage", body.encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["result"]["text"] == "123"
    with urllib.request.urlopen(f"{url}/sendMessage?chat_id={CHAT}&text=42", timeout=5) as response:
        assert json.load(response)["ok"] is True
    assert fake.texts(CHAT) == ["123", "42"]  # free-text fields are never coerced to int
    with pytest.raises(urllib.error.HTTPError) as not_found:
        urllib.request.urlopen(f"{fake.base_url.removesuffix('/bot')}/nope", timeout=5)
    assert not_found.value.code == 404
    not_found.value.close()


@pytest.mark.asyncio
async def test_wait_helpers_time_out_with_a_dump_of_recent_calls(
    fake: FakeTelegram, bot: Bot
) -> None:
    await bot.send_message(CHAT, "<i>Welcome</i> to the studio", parse_mode="HTML")
    assert (await fake.wait_for_text(CHAT, "WELCOME TO")).params["parse_mode"] == "HTML"
    assert len(await fake.wait_for_messages(CHAT, 1)) == 1
    with pytest.raises(AssertionError, match=r"(?s)waiting for a message.*sendMessage -> 200"):
        await fake.wait_for_text(CHAT, "goodbye", timeout=0.1)


@pytest.mark.asyncio
async def test_application_polling_end_to_end(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"Welcome, {update.effective_user.first_name}!")

    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        fake.push_text(CHAT, "/start")
        call = await fake.wait_for_text(CHAT, "welcome, dana")
        await app.updater.stop()
        await app.stop()
    assert call.params["chat_id"] == CHAT
    assert fake.calls_to("deleteWebhook") and fake.calls_to("getMe")


@pytest.mark.asyncio
async def test_business_updates_parse_as_python_telegram_bot_objects(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_business_connection("bc-1", 777, can_reply=True)
    fake.push_business_message("bc-1", CHAT, "hello")
    fake.push_business_message("bc-1", CHAT, "it's me", from_owner=True)
    connection, prospect, owner = await bot.get_updates()
    assert connection.business_connection.user.id == 777 and connection.business_connection.rights.can_reply
    assert prospect.business_message.business_connection_id == "bc-1" and prospect.business_message.from_user.id == CHAT
    assert owner.business_message.from_user.id == 777 and owner.business_message.chat.id == CHAT


@pytest.mark.asyncio
async def test_send_message_on_a_business_connection_comes_from_the_account(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_business_connection("bc-1", 777)
    sent = await bot.send_message(CHAT, "hi", business_connection_id="bc-1")
    assert sent.business_connection_id == "bc-1" and sent.from_user.id == 777 and sent.sender_business_bot.is_bot
    assert [c.params["business_connection_id"] for c in fake.business_sends()] == ["bc-1"]


@pytest.mark.asyncio
async def test_send_message_refuses_an_unknown_or_unable_business_connection(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_business_connection("read-only", 777, can_reply=False)
    fake.push_business_connection("revoked", 778, enabled=False)
    with pytest.raises(BadRequest, match=r"(?i)business_connection_invalid"):
        await bot.send_message(CHAT, "hi", business_connection_id="nope")
    for connection_id in ("read-only", "revoked"):
        with pytest.raises(BadRequest, match=r"(?i)business_connection_not_allowed"):
            await bot.send_message(CHAT, "hi", business_connection_id=connection_id)
    assert len(fake.business_sends()) == 3 and all(c.status == 400 for c in fake.business_sends())
