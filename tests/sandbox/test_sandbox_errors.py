"""Telegram's error answers, with their exact wording, and that failed calls change nothing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from sandbox import BotApiServer

NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")
QUERY_INVALID = ("Bad Request: query is too old and response timeout expired or query ID is "
                 "invalid")


def error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


async def test_bad_token_401_and_unknown_method_404(http: httpx.AsyncClient, token: str) -> None:
    response = await http.post("/bot999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == error(401, "Unauthorized")
    response = await http.post(f"/bot{token}/sendPigeon")
    assert response.status_code == 404
    assert response.json() == error(404, "Not Found")


async def test_chat_not_found(server: BotApiServer, api: Any) -> None:
    server.user(1001)  # known user who never wrote: no chat yet
    assert await api("sendMessage", chat_id=1001, text="hi") == (
        400, error(400, "Bad Request: chat not found"))
    assert await api("sendMessage", chat_id="@nobody", text="hi") == (
        400, error(400, "Bad Request: chat not found"))
    _, body = await api("sendMessage", text="hi")
    assert body["description"] == "Bad Request: chat_id is empty"


async def test_blocked_user_gives_403_until_unblocked(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    asha.block()
    assert await api("sendMessage", chat_id=1001, text="promo") == (
        403, error(403, "Forbidden: bot was blocked by the user"))
    assert [m.text for m in asha.messages] == ["/start"]
    asha.unblock()
    assert (await api("sendMessage", chat_id=1001, text="welcome back"))[0] == 200
    kinds = [next(iter(set(u) - {"update_id"})) for u in server.pending_updates]
    assert kinds == ["message", "my_chat_member", "my_chat_member"]


@pytest.mark.parametrize(("params", "description"), [
    ({"text": ""}, "Bad Request: message text is empty"),
    ({"text": "<b></b>", "parse_mode": "HTML"}, "Bad Request: message text is empty"),
    ({"text": "x" * 4097}, "Bad Request: message is too long"),
    ({"text": "<b>x</b>" + "y" * 4095, "parse_mode": "HTML"}, None),  # 4096 after parsing: fine
    ({"text": "<b>bold", "parse_mode": "HTML"},
     "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""),
    ({"text": "<blink>x</blink>", "parse_mode": "HTML"},
     "Bad Request: can't parse entities: Unsupported start tag \"blink\" at byte offset 0"),
    ({"text": "Total: 5.00!", "parse_mode": "MarkdownV2"},
     "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the "
     "preceding '\\'"),
    ({"text": "hi",
      "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}},
     "Bad Request: BUTTON_DATA_INVALID"),
    ({"text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "plain"}]]}},
     "Bad Request: text buttons are unallowed in the inline keyboard"),
    ({"text": "hi", "reply_markup": "{not json"},
     "Bad Request: can't parse reply keyboard markup JSON object"),
])
async def test_send_message_validation(server: BotApiServer, api: Any, params: dict[str, Any],
                                       description: str | None) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    status, body = await api("sendMessage", chat_id=1001, **params)
    if description is None:
        assert status == 200
        return
    assert (status, body) == (400, error(400, description))
    assert len(asha.messages) == 1  # nothing stored


async def test_callback_data_of_64_bytes_is_fine(server: BotApiServer, api: Any) -> None:
    await server.user(1001).send("/start")
    kb = {"inline_keyboard": [[{"text": "x", "callback_data": "é" * 32}]]}  # 64 bytes in UTF-8
    assert (await api("sendMessage", chat_id=1001, text="ok", reply_markup=kb))[0] == 200


async def test_caption_too_long(server: BotApiServer, api: Any) -> None:
    await server.user(1001).send("/start")
    file_id = server.state.files.add("photo", b"img").file_id
    assert await api("sendPhoto", chat_id=1001, photo=file_id, caption="c" * 1025) == (
        400, error(400, "Bad Request: message caption is too long"))
    assert await api("sendPhoto", chat_id=1001, photo="nope") == (
        400, error(400, "Bad Request: wrong file identifier/HTTP URL specified"))


async def test_edit_errors(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    own = await asha.send("/start")
    kb = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    _, body = await api("sendMessage", chat_id=1001, text="Cart", reply_markup=kb)
    mid = body["result"]["message_id"]
    assert await api("editMessageText", chat_id=1001, message_id=mid, text="Cart",
                     reply_markup=kb) == (400, error(400, NOT_MODIFIED))
    assert await api("editMessageReplyMarkup", chat_id=1001, message_id=mid,
                     reply_markup=kb) == (400, error(400, NOT_MODIFIED))
    assert await api("editMessageText", chat_id=1001, message_id=999, text="x") == (
        400, error(400, "Bad Request: message to edit not found"))
    assert await api("deleteMessage", chat_id=1001, message_id=999) == (
        400, error(400, "Bad Request: message to delete not found"))
    assert (await api("editMessageText", chat_id=1001, message_id=own.message_id, text="x"))[1][
        "description"] == "Bad Request: message can't be edited"
    assert (await api("editMessageText", chat_id=1001, text="x"))[1][
        "description"] == "Bad Request: message identifier is not specified"
    assert asha.last is not None and asha.last.version == 0


async def test_callback_answered_twice_or_unknown(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    kb = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    await api("sendMessage", chat_id=1001, text="Menu", reply_markup=kb)
    press = await asha.press("A")
    assert (await api("answerCallbackQuery", callback_query_id=press.query_id))[0] == 200
    assert await api("answerCallbackQuery", callback_query_id=press.query_id) == (
        400, error(400, QUERY_INVALID))
    assert await api("answerCallbackQuery", callback_query_id="12345") == (
        400, error(400, QUERY_INVALID))


async def test_expired_callback_query(clock: Any, token: str) -> None:
    async with BotApiServer(token, limits=None, clock=clock, callback_query_ttl=15) as server:
        asha = server.user(1001)
        await asha.send("/start")
        async with httpx.AsyncClient(base_url=server.url) as client:
            await client.post(f"/bot{token}/sendMessage", json={
                "chat_id": 1001, "text": "Menu",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}})
            press = await asha.press("A")
            clock.advance(16)
            response = await client.post(f"/bot{token}/answerCallbackQuery",
                                         json={"callback_query_id": press.query_id})
        assert response.json() == error(400, QUERY_INVALID)


class Noticed(logging.Handler):
    """Sets `seen` when a record mentions `what` or is an error."""

    def __init__(self, what: str) -> None:
        super().__init__(logging.INFO)
        self.what, self.seen, self.errors = what, asyncio.Event(), []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors.append(self.format(record))
        if self.what in record.getMessage() or record.levelno >= logging.ERROR:
            self.seen.set()


async def test_a_client_that_dies_mid_request_is_no_server_failure(
    server: BotApiServer, api: Any, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sandbox.server")
    noticed = Noticed("sendMessage")
    logging.getLogger().addHandler(noticed)
    try:
        _, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(f"POST /bot{token}/sendMessage HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\nContent-Length: 99\r\n\r\n{".encode())
        await writer.drain()
        writer.close()  # as a killed process's socket is: the body never comes
        await writer.wait_closed()
        await asyncio.wait_for(noticed.seen.wait(), 5)  # the server saw the connection go
    finally:
        logging.getLogger().removeHandler(noticed)
    assert noticed.errors == []
    assert (await api("getMe"))[0] == 200
