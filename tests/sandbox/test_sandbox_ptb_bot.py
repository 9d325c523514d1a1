"""python-telegram-bot 22's telegram.Bot talks to the sandbox like to Telegram."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from sandbox import BotApiServer, RateLimits

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80\x00\x00\x01\xe0" + b"\x00" * 32


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "FoodbotSandboxBot"


async def test_send_edit_and_answer_callback(server: BotApiServer, bot: Bot) -> None:
    asha = server.user(1001, first_name="Asha")
    await asha.send("/start")
    updates = await bot.get_updates(timeout=0)
    assert updates[0].message is not None and updates[0].message.text == "/start"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Add Pizza", callback_data="add:1")]])
    sent = await bot.send_message(1001, "<b>Menu</b>", parse_mode="HTML", reply_markup=keyboard)
    assert sent.text == "Menu" and sent.text_html == "<b>Menu</b>"
    press = await asha.press("Add Pizza")
    updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    query = updates[0].callback_query
    assert query is not None and query.data == "add:1"
    assert await query.answer("Added!")
    assert (await asha.wait_for_answer(press, timeout=1)).text == "Added!"
    edited = await query.edit_message_text("Cart: 1 × Pizza")
    assert not isinstance(edited, bool) and edited.edit_date is not None
    assert asha.last is not None and asha.last.text == "Cart: 1 × Pizza" and asha.last.edited
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("again")


async def test_reply_keyboard_and_delete(server: BotApiServer, bot: Bot) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    markup = ReplyKeyboardMarkup([[KeyboardButton("📍 Share location", request_location=True)]])
    sent = await bot.send_message(1001, "Where?", reply_markup=markup)
    assert asha.reply_keyboard is not None and asha.reply_keyboard[0][0].request_location
    assert await bot.delete_message(1001, sent.message_id)
    assert [m.text for m in asha.messages] == ["/start"]


async def test_send_photo_upload_then_by_file_id(server: BotApiServer, bot: Bot) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    first = await bot.send_photo(1001, photo=PNG, caption="Margherita")
    assert (first.photo[-1].width, first.photo[-1].height) == (640, 480)
    file_id = first.photo[-1].file_id
    second = await bot.send_photo(1001, photo=file_id)
    assert second.photo[-1].file_id == file_id
    assert [m.photo_file_id for m in asha.bot_messages] == [file_id, file_id]
    assert server.file_bytes(file_id) == PNG


async def test_get_file_and_download_user_document(server: BotApiServer, bot: Bot) -> None:
    csv = b"name,price\nMargherita,250\n"
    await server.user(1001).send_document("menu.csv", csv, caption="/importmenu 3")
    updates = await bot.get_updates(timeout=0)
    message = updates[0].message
    assert message is not None and message.document is not None
    assert message.document.file_name == "menu.csv" and message.document.mime_type == "text/csv"
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == csv


async def test_user_photo_download(server: BotApiServer, bot: Bot) -> None:
    await server.user(1001).send_photo(PNG, caption="/photo 12")
    updates = await bot.get_updates(timeout=0)
    message = updates[0].message
    assert message is not None and message.caption == "/photo 12"
    file = await message.photo[-1].get_file()
    assert bytes(await file.download_as_bytearray()) == PNG


async def test_commands_webhook_and_chat(server: BotApiServer, bot: Bot) -> None:
    assert await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("cart", "Cart")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "cart"]
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    await server.user(1001, first_name="Asha").send("hi")
    chat = await bot.get_chat(1001)
    assert chat.first_name == "Asha" and chat.type == "private"
    assert await bot.send_chat_action(1001, "typing")
    location = await bot.send_location(1001, latitude=12.97, longitude=77.59)
    assert location.location is not None and location.location.latitude == 12.97


async def test_errors_map_to_ptb_exceptions(server: BotApiServer, bot: Bot, token: str) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(4242, "hello?")
    asha = server.user(1001)
    await asha.send("/start")
    asha.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1001, "promo")
    wrong = Bot("1:WRONG", base_url=server.base_url)
    try:
        with pytest.raises(InvalidToken):
            await wrong.initialize()  # initialize() calls getMe
    finally:
        await wrong.shutdown()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised by PTB
async def test_retry_after_reaches_ptb(clock: object, token: str) -> None:
    limits = RateLimits(per_chat_per_s=1.0, per_chat_burst=1)
    async with BotApiServer(token, limits=limits, clock=clock) as server:  # type: ignore[arg-type]
        await server.user(1001).send("/start")
        async with Bot(token, base_url=server.base_url) as ptb_bot:
            await ptb_bot.send_message(1001, "one")
            with pytest.raises(RetryAfter) as caught:
                await ptb_bot.send_message(1001, "two")
        assert "Retry in 1 second" in caught.value.message
