"""The server's Bot API contract through a plain HTTP client (JSON, form and multipart)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from sandbox import BotApiServer

OK_TRUE = {"ok": True, "result": True}
PNG_16x32 = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x20" + b"\x00" * 20


async def test_get_me_get_and_post_case_insensitive(http: httpx.AsyncClient, token: str) -> None:
    for response in (await http.get(f"/bot{token}/getMe"), await http.post(f"/bot{token}/GETME")):
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is True
        assert body["result"]["id"] == 123456
        assert body["result"]["is_bot"] is True
        assert body["result"]["username"] == "FoodbotSandboxBot"


async def test_log_out_and_close(api: Any) -> None:
    assert await api("logOut") == (200, {"ok": True, "result": True})
    assert await api("close") == (200, {"ok": True, "result": True})


async def test_send_message_json_with_inline_keyboard(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001, first_name="Asha", username="asha")
    await asha.send("/start")
    markup = {"inline_keyboard": [[{"text": "Add Pizza", "callback_data": "add:1"},
                                   {"text": "Site", "url": "https://example.com"}]]}
    status, body = await api("sendMessage", chat_id=1001, text="<b>Menu</b> &amp; more",
                             parse_mode="HTML", reply_markup=markup, disable_notification=True)
    assert status == 200
    msg = body["result"]
    assert msg["message_id"] == 2  # shared numbering: the user's /start was #1
    assert msg["from"]["is_bot"] is True
    assert msg["chat"] == {"id": 1001, "type": "private", "first_name": "Asha", "username": "asha"}
    assert msg["text"] == "Menu & more"
    assert msg["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert msg["reply_markup"] == markup
    seen = asha.last
    assert seen is not None
    assert (seen.text, seen.html, seen.buttons) == ("Menu & more", "<b>Menu</b> &amp; more",
                                                    ["Add Pizza", "Site"])


async def test_send_message_form_encoded_markup_as_json_string(
        server: BotApiServer, http: httpx.AsyncClient, token: str) -> None:
    asha = server.user(1001, first_name="Asha")
    await asha.send("hi")
    markup = {"keyboard": [[{"text": "📍 Share location", "request_location": True}], ["Cancel"]],
              "resize_keyboard": True}
    response = await http.post(f"/bot{token}/sendMessage", data={
        "chat_id": "1001", "text": "Where are you?", "reply_markup": json.dumps(markup)})
    assert response.status_code == 200
    assert "reply_markup" not in response.json()["result"]  # only inline keyboards are echoed
    keyboard = asha.reply_keyboard
    assert keyboard is not None
    assert keyboard[0][0].request_location and keyboard[1][0].text == "Cancel"
    await http.post(f"/bot{token}/sendMessage", data={
        "chat_id": "1001", "text": "ok", "reply_markup": '{"remove_keyboard": true}'})
    assert asha.reply_keyboard is None


async def test_reply_to_message_and_force_reply(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    sent = await asha.send("my order?")
    status, body = await api("sendMessage", chat_id=1001, text="Which one?",
                             reply_parameters={"message_id": sent.message_id},
                             reply_markup={"force_reply": True})
    assert status == 200
    assert body["result"]["reply_to_message"]["text"] == "my order?"
    assert asha.last is not None and asha.last.force_reply


async def test_edit_text_caption_markup_and_delete(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    kb = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    _, body = await api("sendMessage", chat_id=1001, text="v1", reply_markup=kb)
    mid = body["result"]["message_id"]
    status, body = await api("editMessageText", chat_id=1001, message_id=mid, text="v2",
                             reply_markup=kb)
    assert status == 200 and body["result"]["edit_date"] > 0
    assert asha.last is not None and (asha.last.text, asha.last.version) == ("v2", 1)
    status, _ = await api("editMessageReplyMarkup", chat_id=1001, message_id=mid,
                          reply_markup={"inline_keyboard": [[{"text": "B", "callback_data": "b"}]]})
    assert status == 200 and asha.last.buttons == ["B"]
    # Like Telegram: an edit without reply_markup removes the inline keyboard.
    await api("editMessageText", chat_id=1001, message_id=mid, text="v3")
    assert asha.last.buttons == [] and asha.last.edited
    _, body = await api("sendPhoto", chat_id=1001, photo=stored_file_id(server, "photo"),
                        caption="c1")
    pid = body["result"]["message_id"]
    status, body = await api("editMessageCaption", chat_id=1001, message_id=pid, caption="c2")
    assert status == 200 and body["result"]["caption"] == "c2"
    assert await api("deleteMessage", chat_id=1001, message_id=mid) == (200, OK_TRUE)
    assert [m.message_id for m in asha.messages] == [1, pid]


def stored_file_id(server: BotApiServer, kind: str) -> str:
    return server.state.files.add(kind, PNG_16x32, "p.png").file_id


async def test_answer_callback_query(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    kb = {"inline_keyboard": [[{"text": "Add Pizza", "callback_data": "add:1"}]]}
    await api("sendMessage", chat_id=1001, text="Menu", reply_markup=kb)
    press = await asha.press("Add Pizza")
    _, updates = await api("getUpdates")
    query = updates["result"][-1]["callback_query"]
    assert query["data"] == "add:1" and query["message"]["text"] == "Menu"
    assert query["from"]["id"] == 1001 and query["chat_instance"]
    status, _ = await api("answerCallbackQuery", callback_query_id=query["id"], text="Added",
                          show_alert=True)
    assert status == 200
    answer = await asha.wait_for_answer(press, timeout=1)
    assert (answer.text, answer.show_alert) == ("Added", True)


async def test_send_photo_multipart_upload_then_file_id(
        server: BotApiServer, http: httpx.AsyncClient, token: str) -> None:
    await server.user(1001).send("hi")
    response = await http.post(f"/bot{token}/sendPhoto",
                               data={"chat_id": "1001", "caption": "Pizza"},
                               files={"photo": ("pizza.png", PNG_16x32, "image/png")})
    assert response.status_code == 200
    sizes = response.json()["result"]["photo"]
    assert sizes[-1]["width"] == 16 and sizes[-1]["height"] == 32
    file_id = sizes[-1]["file_id"]
    assert server.file_bytes(file_id) == PNG_16x32
    again = await http.post(f"/bot{token}/sendPhoto", json={"chat_id": 1001, "photo": file_id})
    assert again.json()["result"]["photo"][-1]["file_id"] == file_id
    # attach:// references work too
    attached = await http.post(f"/bot{token}/sendPhoto",
                               data={"chat_id": "1001", "photo": "attach://pic"},
                               files={"pic": ("x.png", PNG_16x32, "image/png")})
    assert attached.status_code == 200


async def test_send_document_location_chat_action(
        server: BotApiServer, http: httpx.AsyncClient, api: Any, token: str) -> None:
    asha = server.user(1001)
    await asha.send("hi")
    response = await http.post(f"/bot{token}/sendDocument", data={"chat_id": "1001"},
                               files={"document": ("orders.csv", b"id\n1\n", "text/csv")})
    doc = response.json()["result"]["document"]
    assert doc["file_name"] == "orders.csv" and doc["file_size"] == 5
    assert asha.last is not None and asha.last.document_name == "orders.csv"
    status, body = await api("sendLocation", chat_id=1001, latitude=12.97, longitude=77.59)
    assert status == 200 and body["result"]["location"] == {"latitude": 12.97, "longitude": 77.59}
    assert await api("sendChatAction", chat_id=1001, action="typing") == (200, OK_TRUE)
    status, body = await api("sendContact", chat_id=1001, phone_number="+91 80 1234",
                             first_name="Pizza Palace")
    assert status == 200 and body["result"]["contact"]["first_name"] == "Pizza Palace"
    assert asha.last is not None and asha.last.contact is not None
    assert await api("setMyDescription", description="Food!") == (200, OK_TRUE)


async def test_get_file_and_download_user_document(
        server: BotApiServer, http: httpx.AsyncClient, api: Any, token: str) -> None:
    await server.user(1001).send_document("menu.csv", b"name,price\nPizza,250\n",
                                          caption="/importmenu 3")
    _, updates = await api("getUpdates")
    message = updates["result"][0]["message"]
    assert message["caption"] == "/importmenu 3"
    assert message["caption_entities"][0]["type"] == "bot_command"
    status, body = await api("getFile", file_id=message["document"]["file_id"])
    assert status == 200
    download = await http.get(f"/file/bot{token}/{body['result']['file_path']}")
    assert download.status_code == 200 and download.content == b"name,price\nPizza,250\n"
    assert (await http.get(f"/file/botWRONG/{body['result']['file_path']}")).status_code == 401


async def test_get_chat_and_commands(server: BotApiServer, api: Any) -> None:
    await server.user(1001, first_name="Asha").send("hi")
    status, body = await api("getChat", chat_id=1001)
    assert status == 200 and body["result"]["first_name"] == "Asha"
    commands = [{"command": "start", "description": "Start"},
                {"command": "menu", "description": "Menu"}]
    assert (await api("setMyCommands", commands=commands))[0] == 200
    chat_scope = {"type": "chat", "chat_id": 1001}
    assert (await api("setMyCommands", commands=commands[:1], scope=chat_scope))[0] == 200
    assert (await api("getMyCommands"))[1]["result"] == commands
    assert server.commands == {"default": commands, "chat:1001": commands[:1]}
    assert (await api("deleteMyCommands"))[0] == 200
    assert (await api("getMyCommands"))[1]["result"] == []


async def test_get_updates_offset_limit_and_allowed_updates(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    for i in range(5):
        await asha.send(f"m{i}")
    _, body = await api("getUpdates", limit=2)
    first = body["result"]
    assert [u["message"]["text"] for u in first] == ["m0", "m1"]
    ids = [u["update_id"] for u in first]
    _, body = await api("getUpdates", offset=ids[1] + 1)
    assert [u["message"]["text"] for u in body["result"]] == ["m2", "m3", "m4"]
    # confirmed updates are gone for good, even for offset=0
    _, body = await api("getUpdates")
    assert [u["message"]["text"] for u in body["result"]] == ["m2", "m3", "m4"]
    last = body["result"][-1]["update_id"]
    _, body = await api("getUpdates", offset=last + 1, allowed_updates=["callback_query"])
    assert body["result"] == []
    await asha.send("filtered out")
    assert server.pending_updates == []


async def test_webhook_info_set_and_delete(server: BotApiServer, api: Any) -> None:
    await server.user(1001).send("queued")
    status, _ = await api("setWebhook", url="http://127.0.0.1:9/hook", secret_token="s3cret",
                             allowed_updates=["message"])
    assert status == 200
    _, info = await api("getWebhookInfo")
    assert info["result"]["url"] == "http://127.0.0.1:9/hook"
    assert info["result"]["allowed_updates"] == ["message"]
    assert (await api("deleteWebhook", drop_pending_updates=True))[0] == 200
    _, info = await api("getWebhookInfo")
    assert info["result"]["url"] == ""
    assert info["result"]["pending_update_count"] == 0
