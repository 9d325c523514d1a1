"""The bot's Bot API client (bot/aiohttp_request.py) against the local Bot API server: answers,
Telegram's errors, timeouts and transport failures come out as PTB's exceptions, as with
PTB's own HTTPXRequest; files go up and come down whole."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.aiohttp_request import AiohttpRequest
from bot.charts import orders_per_hour_png
from bot.ratelimit import retry_after_s
from sandbox import BotApiServer, SandboxUser

TOKEN = "123456:AIOHTTP-REQUEST-TOKEN"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("🛒 Cart", callback_data="cart")]])


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(TOKEN, limits=None) as running:
        yield running


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url,
                   request=AiohttpRequest(), get_updates_request=AiohttpRequest()) as started:
        yield started


@pytest.fixture
async def asha(server: BotApiServer) -> SandboxUser:
    user = server.user(1001, first_name="Asha")
    await user.send("/start")
    return user


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_call_returns_telegrams_answer(bot: Bot, asha: SandboxUser) -> None:
    sent = await bot.send_message(asha.id, "<b>Dominos</b> & co", parse_mode="HTML",
                                  reply_markup=KEYBOARD)

    assert sent.text == "Dominos & co" and sent.chat.id == asha.id
    assert asha.last is not None and asha.last.html == "<b>Dominos</b> & co"
    assert asha.last.inline_keyboard[0][0].callback_data == "cart"


async def test_the_updates_come_as_json(bot: Bot, asha: SandboxUser) -> None:
    found = await bot.do_api_request("getUpdates", api_kwargs={"timeout": 0})

    assert isinstance(found, list) and found[0]["message"]["text"] == "/start"


async def test_a_429_raises_retry_after_with_telegrams_wait(
    server: BotApiServer, bot: Bot, asha: SandboxUser
) -> None:
    server.fail_next("sendMessage", code=429, retry_after=7)

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(asha.id, "hello")

    assert retry_after_s(raised.value) == 7
    assert not any(m.from_bot for m in asha.messages)  # not delivered


async def test_a_400_raises_bad_request_with_telegrams_reason(
    bot: Bot, asha: SandboxUser
) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("gone", chat_id=asha.id, message_id=999)


async def test_no_answer_within_the_read_timeout_raises_timed_out(bot: Bot) -> None:
    # a long poll with nothing to deliver: the server holds the answer for 30 s
    with pytest.raises(TimedOut):
        await bot.do_api_request("getUpdates", api_kwargs={"timeout": 30}, read_timeout=0.2)


async def test_a_refused_connection_raises_network_error_without_the_token() -> None:
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{closed_port()}/bot{TOKEN}/getMe")

    assert not isinstance(raised.value, TimedOut)
    assert "aiohttp.ClientConnectorError" in str(raised.value)
    assert TOKEN.partition(":")[2] not in str(raised.value)


async def test_a_chart_goes_up_as_a_photo_and_comes_back_whole(
    bot: Bot, asha: SandboxUser
) -> None:
    start = datetime(2025, 3, 4, tzinfo=UTC)
    png = orders_per_hour_png([(start + timedelta(hours=h), h % 5) for h in range(24)],
                              "Orders per hour · today")

    sent = await bot.send_photo(asha.id, png, caption="<i>Today</i>", parse_mode="HTML",
                                reply_markup=KEYBOARD)

    assert asha.last is not None and asha.last.photo_file_id == sent.photo[-1].file_id
    assert asha.last.caption == "Today" and asha.last.inline_keyboard[0][0].text == "🛒 Cart"
    stored = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await stored.download_as_bytearray()) == png


async def test_a_request_shut_down_refuses_calls_and_can_start_again(
    server: BotApiServer, asha: SandboxUser
) -> None:
    request = AiohttpRequest()
    bot = Bot(TOKEN, base_url=server.base_url, request=request)
    await bot.initialize()
    await bot.shutdown()

    with pytest.raises(NetworkError, match="not initialized"):
        await request.post(f"{server.base_url}{TOKEN}/getMe")
    async with bot:
        assert (await bot.send_message(asha.id, "again")).text == "again"
