"""The curl-friendly /sandbox/... endpoints over the user-side API."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from sandbox import BotApiServer


async def test_send_press_and_read_chat_over_http(
        server: BotApiServer, http: httpx.AsyncClient, api: Any) -> None:
    response = await http.post("/sandbox/users/1001/send",
                               json={"text": "/start", "first_name": "Asha"})
    assert response.status_code == 200
    assert response.json()["result"]["text"] == "/start"
    assert server.user(1001).name == "Asha"
    kb = {"inline_keyboard": [[{"text": "Add Pizza", "callback_data": "add"}]]}
    await api("sendMessage", chat_id=1001, text="Menu", reply_markup=kb)
    pressed = await http.post("/sandbox/users/1001/press", json={"text": "Add Pizza"})
    assert pressed.json()["result"]["press"]["data"] == "add"
    missing = await http.post("/sandbox/users/1001/press", json={"text": "Nope"})
    assert missing.status_code == 400 and "Visible buttons" in missing.json()["error"]
    chat = (await http.get("/sandbox/users/1001/chat")).json()["result"]
    assert [m["text"] for m in chat["messages"]] == ["/start", "Menu"]
    assert chat["messages"][1]["inline_keyboard"][0][0]["callback_data"] == "add"


async def test_other_actions_and_transcript(
        server: BotApiServer, http: httpx.AsyncClient, api: Any) -> None:
    base = "/sandbox/users/1002"
    created = await http.post(base, json={"first_name": "Ravi", "phone_number": "+91"})
    assert created.status_code == 200
    located = await http.post(f"{base}/location", json={"latitude": 1.5, "longitude": 2.5})
    assert located.status_code == 200
    contact = await http.post(f"{base}/contact", json={})
    assert contact.json()["result"]["contact"]["phone_number"] == "+91"
    photo = await http.post(f"{base}/photo", json={"data_base64": base64.b64encode(b"img").decode(),
                                                   "caption": "/photo 1"})
    assert photo.json()["result"]["caption"] == "/photo 1"
    doc = await http.post(f"{base}/document", files={"file": ("menu.csv", b"a,b\n", "text/csv")},
                          data={"caption": "/importmenu"})
    assert doc.json()["result"]["document_name"] == "menu.csv"
    await api("sendMessage", chat_id=1002, text="Got it")
    waited = await http.post(f"{base}/wait", json={"text": "got it", "timeout": 1})
    assert waited.json()["result"]["text"] == "Got it"
    timed_out = await http.post(f"{base}/wait", json={"text": "never", "timeout": 0.05})
    assert timed_out.status_code == 408
    assert (await http.post(f"{base}/block")).status_code == 200
    assert (await http.post(f"{base}/unblock")).status_code == 200
    assert (await http.post(f"{base}/dance")).status_code == 404
    users = (await http.get("/sandbox/users")).json()["result"]
    assert users[0]["first_name"] == "Ravi"
    events = (await http.get("/sandbox/transcript")).json()["result"]
    assert [e["kind"] for e in events][:2] == ["user_location", "user_contact"]
    text = (await http.get("/sandbox/transcript", params={"format": "text"})).text
    assert "Ravi sends menu.csv (4 bytes): /importmenu" in text
    overview = (await http.get("/sandbox")).json()["result"]
    assert overview["users"] == [1002] and overview["pending_updates"] >= 4


async def test_a_user_deletes_a_message_over_http(
        server: BotApiServer, http: httpx.AsyncClient, api: Any) -> None:
    base = "/sandbox/users/1003"
    await http.post(f"{base}/send", json={"text": "/start", "first_name": "Meera"})
    _, sent = await api("sendMessage", chat_id=1003, text="Menu")
    message_id = sent["result"]["message_id"]

    deleted = await http.post(f"{base}/delete", json={"message_id": message_id})

    assert deleted.status_code == 200
    chat = (await http.get(f"{base}/chat")).json()["result"]
    assert [m["text"] for m in chat["messages"]] == ["/start"]
    status, refused = await api("editMessageText", chat_id=1003, message_id=message_id,
                                text="Menu (updated)")
    assert (status, refused["description"]) == (400, "Bad Request: message to edit not found")
    again = await http.post(f"{base}/delete", json={"message_id": message_id})
    assert again.status_code == 400 and "no message" in again.json()["error"]
    unnamed = await http.post(f"{base}/delete", json={})
    assert unnamed.status_code == 400 and "message_id" in unnamed.json()["error"]
    after = (await http.get(f"{base}/chat")).json()["result"]
    assert after["messages"] == chat["messages"]  # the refused deletes changed nothing
