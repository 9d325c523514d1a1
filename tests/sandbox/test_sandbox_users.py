"""The user-side Python API: actions, views, waits, errors and the transcript."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sandbox import BotApiServer, ButtonNotFound, SandboxError, TranscriptEvent

MENU_KB = {"inline_keyboard": [[{"text": "Add Pizza", "callback_data": "add:pizza"},
                                {"text": "Cart (0)", "callback_data": "cart"}],
                               [{"text": "Help", "url": "https://example.com/help"}]]}


async def test_same_object_per_id_and_profile_update(server: BotApiServer) -> None:
    asha = server.user(1001, first_name="Asha", username="asha")
    assert server.user(1001) is asha
    server.user(1001, last_name="Rao")
    assert (asha.profile.first_name, asha.profile.last_name) == ("Asha", "Rao")
    assert server.users == [asha]


async def test_views_apply_edits_and_deletions(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    await asha.send("/menu")
    _, one = await api("sendMessage", chat_id=1001, text="Menu", reply_markup=MENU_KB)
    _, two = await api("sendMessage", chat_id=1001, text="Tip")
    await api("editMessageText", chat_id=1001, message_id=one["result"]["message_id"],
              text="Menu (updated)", reply_markup=MENU_KB)
    await api("deleteMessage", chat_id=1001, message_id=two["result"]["message_id"])
    assert [(m.from_bot, m.text) for m in asha.messages] == [
        (False, "/menu"), (True, "Menu (updated)")]
    assert asha.last is not None and asha.last.edited and asha.last.version == 1
    assert asha.last.has_button("Cart (0)")
    assert asha.last.buttons == ["Add Pizza", "Cart (0)", "Help"]
    assert asha.bot_messages == [asha.last]


async def test_press_finds_newest_message_and_reports_visible_buttons(
        server: BotApiServer, api: Any) -> None:
    asha = server.user(1001, first_name="Asha")
    await asha.send("/menu")
    await api("sendMessage", chat_id=1001, text="old", reply_markup=MENU_KB)
    _, new = await api("sendMessage", chat_id=1001, text="new", reply_markup=MENU_KB)
    press = await asha.press("Add Pizza")
    assert (press.message_id, press.data) == (new["result"]["message_id"], "add:pizza")
    older = await asha.press("Add Pizza", message_id=2)
    assert older.message_id == 2
    with pytest.raises(ButtonNotFound, match=r"no inline button \[Pay\]") as caught:
        await asha.press("Pay")
    assert "#3: [Add Pizza] [Cart (0)] [Help]" in str(caught.value)
    with pytest.raises(SandboxError, match="not a callback button"):
        await asha.press("Help")


async def test_press_data_forged_and_wait_for_answer_timeout(
        server: BotApiServer, api: Any) -> None:
    asha = server.user(1001, first_name="Asha")
    await asha.send("/menu")
    _, sent = await api("sendMessage", chat_id=1001, text="Menu", reply_markup=MENU_KB)
    press = await asha.press_data(sent["result"]["message_id"], "add:ghost")
    _, updates = await api("getUpdates")
    assert updates["result"][-1]["callback_query"]["data"] == "add:ghost"
    with pytest.raises(TimeoutError, match="did not answer the press"):
        await asha.wait_for_answer(press, timeout=0.05)
    assert asha.answer_of(press) is None
    await api("answerCallbackQuery", callback_query_id=press.query_id, text="Gone")
    answer = asha.answer_of(press)
    assert answer is not None and answer.text == "Gone"
    with pytest.raises(SandboxError):
        await asha.press_data(999, "x")


async def test_wait_for_variants(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001, first_name="Asha")
    await asha.send("/order")
    await api("sendMessage", chat_id=1001, text="Order #1 placed")
    # whole chat, newest first: an old message satisfies it at once
    assert (await asha.wait_for_text("order #1", timeout=0.1)).text == "Order #1 placed"
    mark = asha.mark()
    with pytest.raises(TimeoutError, match="Order #1 placed"):  # chat contents in the error
        await asha.wait_for_new(lambda m: "Order" in m.text, since=mark, timeout=0.05)

    async def bot_later() -> None:
        await api("sendMessage", chat_id=1001, text="Order #2 placed")
        await api("sendMessage", chat_id=1001, text="Order #3 placed")

    waiter = asyncio.create_task(asha.wait_for_new(lambda m: "Order" in m.text, since=mark))
    await bot_later()
    assert (await waiter).text == "Order #2 placed"  # earliest change after the mark
    await asha.send("/status")  # wait_for_new defaults to "since my last action"
    await api("editMessageText", chat_id=1001, message_id=2, text="Order #1 delivered")
    edited = await asha.wait_for_new(timeout=1)
    assert edited.text == "Order #1 delivered" and edited.edited
    await asha.wait_until(lambda: len(asha.bot_messages) == 3, timeout=1)


async def test_location_contact_reply_keyboard(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001, first_name="Asha", phone_number="+919800000000")
    await asha.send("/start")
    kb = {"keyboard": [[{"text": "📍 Share location", "request_location": True}],
                       [{"text": "📞 Share phone", "request_contact": True}, "Cancel"]]}
    await api("sendMessage", chat_id=1001, text="Details?", reply_markup=kb)
    with pytest.raises(SandboxError, match="requests a location"):
        await asha.tap_reply_button("📍 Share location")
    located = await asha.tap_reply_button("📍 Share location", location=(12.97, 77.59))
    assert located.location is not None and located.location.latitude == 12.97
    contact = await asha.tap_reply_button("📞 Share phone")
    assert contact.contact is not None and contact.contact.user_id == 1001
    assert (await asha.tap_reply_button("Cancel")).text == "Cancel"
    with pytest.raises(ButtonNotFound, match="keyboard shows"):
        await asha.tap_reply_button("Nope")
    _, updates = await api("getUpdates")
    kinds = [u["message"].get("location") or u["message"].get("contact") or u["message"]["text"]
             for u in updates["result"]]
    assert kinds[1] == {"latitude": 12.97, "longitude": 77.59}
    assert kinds[2]["phone_number"] == "+919800000000" and kinds[3] == "Cancel"


async def test_user_edit_and_blocked_user_cannot_act(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001, first_name="Asha")
    sent = await asha.send("2 pizzas")
    await asha.edit(sent.message_id, "3 pizzas")
    _, updates = await api("getUpdates")
    assert updates["result"][-1]["edited_message"]["text"] == "3 pizzas"
    asha.block()
    with pytest.raises(SandboxError, match="blocked the bot"):
        await asha.send("hi")


async def test_a_user_deletes_a_message_and_the_bot_can_no_longer_edit_it(
    server: BotApiServer, api: Any
) -> None:
    asha = server.user(1001, first_name="Asha")
    await asha.send("/menu")
    _, sent = await api("sendMessage", chat_id=1001, text="Menu")
    message_id = sent["result"]["message_id"]
    _, before = await api("getUpdates")

    asha.delete(message_id)

    assert [m.text for m in asha.messages] == ["/menu"]
    status, refused = await api("editMessageText", chat_id=1001, message_id=message_id,
                                text="Menu (updated)")
    assert (status, refused["description"]) == (400, "Bad Request: message to edit not found")
    _, after = await api("getUpdates")
    assert len(after["result"]) == len(before["result"])  # the bot is not told
    assert f"Asha (deletes #{message_id})" in server.format_transcript()
    with pytest.raises(SandboxError, match="no message"):
        asha.delete(message_id)


async def test_transcript_rendering_and_stream(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001, first_name="Asha")
    ravi = server.user(1002, first_name="Ravi")
    seen: list[TranscriptEvent] = []
    unsubscribe = server.add_listener(seen.append)
    printed: list[str] = []
    stop_echo = server.echo_transcript({1002: "Rider Ravi"}, printed.append)
    stream = server.subscribe()
    first = asyncio.ensure_future(anext(stream))
    await asha.send("/start")
    assert (await first).kind == "user_text"
    _, sent = await api("sendMessage", chat_id=1001, text="Hello Asha\nPick one:",
                        reply_markup=MENU_KB)
    press = await asha.press("Add Pizza")
    await api("answerCallbackQuery", callback_query_id=press.query_id, text="Added",
              show_alert=True)
    await api("editMessageText", chat_id=1001, message_id=sent["result"]["message_id"],
              text="Cart: 1 × Pizza")
    await ravi.send("/orders")
    await ravi.share_location(12.9, 77.6)
    unsubscribe()
    stop_echo()
    await api("deleteMessage", chat_id=1001, message_id=sent["result"]["message_id"])
    text = server.format_transcript(names={1001: "Customer Asha"})
    assert text.splitlines() == [
        "Customer Asha: /start",
        "Foodbot → Customer Asha: Hello Asha",
        "    Pick one:",
        "   [Add Pizza] [Cart (0)]",
        "   [Help]",
        "Customer Asha presses [Add Pizza]",
        "Foodbot → Customer Asha (popup): Added",
        "Foodbot → Customer Asha (edits #2): Cart: 1 × Pizza",
        "Ravi: /orders",
        "Ravi shares location (12.9, 77.6)",
        "Foodbot → Customer Asha (deletes #2)",
    ]
    assert [e.kind for e in seen][-1] == "user_location"  # listener removed before the delete
    assert printed[-2:] == ["Rider Ravi: /orders", "Rider Ravi shares location (12.9, 77.6)"]
    assert "Foodbot → Asha: Hello Asha" in printed
    await stream.aclose()


async def test_sandbox_error_for_empty_message(server: BotApiServer) -> None:
    with pytest.raises(SandboxError):
        await server.user(1001).send("")
