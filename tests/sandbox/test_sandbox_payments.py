"""Payments for physical goods: sendInvoice, the payer's pre-checkout query and the bot's
answerPreCheckoutQuery, successful_payment (also delivered twice), driven over HTTP with
getUpdates long polling."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sandbox import BotApiServer
from tests.sandbox.conftest import ApiCall
from tests.sandbox.shop import INVOICE, QUERY_TOO_OLD, answer_ok, open_shop


async def test_invoice_is_delivered_and_shown(server: BotApiServer, api: ApiCall) -> None:
    markup = {"inline_keyboard": [[{"text": "Pay ₹540", "pay": True}],
                                  [{"text": "Cancel", "callback_data": "cancel"}]]}
    asha, _, seen = await open_shop(server, api, reply_markup=markup, start_parameter="o42",
                                    need_name=True)
    invoice = seen.invoice
    assert invoice is not None
    assert (invoice.title, invoice.payload, invoice.currency) == (
        "Order from Dominos", "order:42", "INR")
    assert [(p.label, p.amount) for p in invoice.prices] == [
        ("Margherita × 2", 50000), ("Delivery", 4000)]
    assert (invoice.total_amount, invoice.max_tip_amount) == (54000, 10000)
    assert invoice.suggested_tip_amounts == (1000, 2000, 5000)
    assert invoice.need_name and invoice.is_test and seen.from_bot and seen.text == ""
    assert seen.buttons == ["Pay ₹540", "Cancel"] and seen.inline_keyboard[0][0].pay
    assert "#2 bot: '[invoice Order from Dominos: ₹540.00]' [Pay ₹540] [Cancel]" in (
        asha.describe())
    assert server.format_transcript().splitlines()[-3:] == [
        "Foodbot: 🧾 invoice 'Order from Dominos' ₹540.00 (tip up to ₹100.00)",
        "   [Pay ₹540]", "   [Cancel]"]


async def test_send_invoice_result_is_a_message_with_an_invoice(
        server: BotApiServer, api: ApiCall) -> None:
    await server.user(1001).send("/start")
    discounted = [{"label": "Pizza", "amount": 30000}, {"label": "Promo", "amount": -5000}]
    status, body = await api("sendInvoice", chat_id=1001, **{**INVOICE, "prices": discounted})
    assert status == 200
    message = body["result"]
    assert message["from"]["is_bot"] and message["chat"]["id"] == 1001
    assert message["invoice"] == {"title": "Order from Dominos",
                                  "description": "2 × Margherita, delivered",
                                  "start_parameter": "", "currency": "INR",
                                  "total_amount": 25000}
    assert "reply_markup" not in message and "text" not in message


def tips(*amounts: Any, most: int = 10000) -> dict[str, Any]:
    return {"max_tip_amount": most, "suggested_tip_amounts": list(amounts)}


@pytest.mark.parametrize(("changes", "description"), [
    ({"prices": [{"label": "Pizza", "amount": 500}, {"label": "Promo", "amount": -500}]},
     "CURRENCY_TOTAL_AMOUNT_INVALID"),
    ({"prices": [{"label": "Refund", "amount": -100}]}, "CURRENCY_TOTAL_AMOUNT_INVALID"),
    ({"provider_token": "not-a-token"}, "PAYMENT_PROVIDER_INVALID"),
    ({"provider_token": "284685063:DEMO:x"}, "PAYMENT_PROVIDER_INVALID"),
    ({"provider_token": ""}, "PAYMENT_PROVIDER_INVALID"),
    (tips(100, 200, 300, 400, 500), "there can be at most 4 suggested tip amounts"),
    (tips(2000, 1000), "suggested tip amounts must be strictly increasing"),
    (tips(1000, 1000), "suggested tip amounts must be strictly increasing"),
    (tips(1000, 20000), "suggested tip amount can't be bigger than max_tip_amount"),
    (tips(100, most=0), "suggested tip amount can't be bigger than max_tip_amount"),
    (tips(0, 100), "suggested tip amount must be positive"),
    (tips("lots"), "can't parse suggested tip amount"),
    ({"max_tip_amount": -1}, "invalid max_tip_amount of the currency specified"),
    ({"currency": "inr"}, "CURRENCY_INVALID"),
    ({"currency": "RUPEE"}, "CURRENCY_INVALID"),
    ({"prices": None}, "can't parse prices JSON object"),
    ({"prices": []}, "there must be at least one price"),
    ({"prices": {"label": "Pizza", "amount": 100}}, "expected an Array of labeled prices"),
    ({"prices": [{"label": "", "amount": 100}]},
     "can't parse labeled price: LabeledPrice label must be non-empty"),
    ({"prices": [{"label": "Pizza", "amount": 12.5}]},
     "can't parse labeled price: can't parse \"amount\" as Number"),
    ({"payload": "x" * 129}, "INVOICE_PAYLOAD_INVALID"),
    ({"payload": "₹" * 43}, "INVOICE_PAYLOAD_INVALID"),  # 43 characters, 129 bytes
    ({"payload": ""}, "INVOICE_PAYLOAD_INVALID"),
    ({"title": "T" * 33}, "TITLE_INVALID"),
    ({"title": None}, "TITLE_INVALID"),
    ({"description": "d" * 256}, "DESCRIPTION_INVALID"),
    ({"reply_markup": {"inline_keyboard": [[{"text": "Buy", "callback_data": "buy"}]]}},
     "REPLY_MARKUP_BUY_EMPTY"),
    ({"reply_markup": {"keyboard": [["Pay"]]}}, "inline keyboard expected"),
])
async def test_malformed_invoices_are_refused_without_a_message(
        server: BotApiServer, api: ApiCall, changes: dict[str, Any], description: str) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    params = {k: v for k, v in {**INVOICE, **changes}.items() if v is not None}
    status, body = await api("sendInvoice", chat_id=1001, **params)
    assert (status, body) == (400, {"ok": False, "error_code": 400,
                                    "description": f"Bad Request: {description}"})
    assert asha.bot_messages == []


async def test_limits_that_are_just_allowed(server: BotApiServer, api: ApiCall) -> None:
    await server.user(1001).send("/start")
    edge = {"title": "T" * 32, "description": "d" * 255, "payload": "₹" * 42 + "xx",
            **tips(1, 2, 3, 10000)}
    status, body = await api("sendInvoice", chat_id=1001, **{**INVOICE, **edge})
    assert status == 200, body


async def test_tip_goes_into_the_pre_checkout_query_and_the_payment(
        server: BotApiServer, api: ApiCall) -> None:
    asha, poller, invoice = await open_shop(server, api)
    paying = asyncio.create_task(asha.pay(invoice, tip=2000))
    query = (await poller.next())["pre_checkout_query"]
    assert query.keys() == {"id", "from", "currency", "total_amount", "invoice_payload"}
    assert (query["from"]["id"], query["currency"], query["total_amount"],
            query["invoice_payload"]) == (1001, "INR", 56000, "order:42")
    assert not paying.done()  # the user waits for the bot's answer
    assert await api("answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=True) == (
        200, {"ok": True, "result": True})
    payment = await paying
    assert (payment.ok, payment.status, payment.total_amount, payment.tip) == (
        True, "paid", 56000, 2000)
    assert (payment.query_id, payment.invoice_message_id) == (query["id"], invoice.message_id)
    message = (await poller.next())["message"]
    assert message["from"]["id"] == 1001 and message["chat"]["id"] == 1001
    assert message["successful_payment"] == {
        "currency": "INR", "total_amount": 56000, "invoice_payload": "order:42",
        "telegram_payment_charge_id": "sandbox-charge-1",
        "provider_payment_charge_id": "provider-charge-1"}
    assert payment.telegram_payment_charge_id == "sandbox-charge-1"
    assert payment.provider_payment_charge_id == "provider-charge-1"
    assert payment.message is not None and payment.message.message_id == message["message_id"]
    assert asha.messages[-1] == payment.message and not payment.message.from_bot
    await poller.nothing_more()
    assert server.format_transcript().splitlines()[-3:] == [
        "💳 Asha pays invoice 'Order from Dominos' ₹540.00 + tip ₹20.00",
        "Foodbot answers pre-checkout: ok",
        "✅ Asha paid ₹560.00: charge sandbox-charge-1"]


async def test_declined_checkout_shows_the_error_and_charges_nothing(
        server: BotApiServer, api: ApiCall) -> None:
    asha, poller, invoice = await open_shop(server, api)
    paying = asyncio.create_task(asha.pay(invoice.message_id))
    query = (await poller.next())["pre_checkout_query"]
    assert query["total_amount"] == 54000
    sorry = "Dominos has just closed. Nothing was charged."
    status, _ = await api("answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=False,
                          error_message=sorry)
    assert status == 200
    payment = await paying
    assert (payment.ok, payment.status, payment.error_message) == (False, "declined", sorry)
    assert payment.messages == () and payment.telegram_payment_charge_id is None
    await poller.nothing_more()
    assert [m.successful_payment for m in asha.messages if not m.from_bot] == [None]
    assert server.format_transcript().splitlines()[-2:] == [
        f"Foodbot answers pre-checkout: error: {sorry}", f"❌ Asha's payment is declined: {sorry}"]


async def test_answer_needs_an_error_message_when_not_ok(
        server: BotApiServer, api: ApiCall) -> None:
    asha, poller, invoice = await open_shop(server, api)
    paying = asyncio.create_task(asha.pay(invoice))
    query_id = (await poller.next())["pre_checkout_query"]["id"]
    assert await api("answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=False) == (
        400, {"ok": False, "error_code": 400,
              "description": "Bad Request: error_message is required when ok is false"})
    assert (await api("answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=True))[0] == 200
    assert (await paying).ok


async def test_second_answer_and_unknown_query_are_refused(
        server: BotApiServer, api: ApiCall) -> None:
    asha, poller, invoice = await open_shop(server, api)
    paying = asyncio.create_task(asha.pay(invoice))
    query_id = (await poller.next())["pre_checkout_query"]["id"]
    assert (await api("answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=True))[0] == 200
    for answer in ({"pre_checkout_query_id": query_id, "ok": True},
                   {"pre_checkout_query_id": "4242", "ok": True}):
        status, body = await api("answerPreCheckoutQuery", **answer)
        assert (status, body["description"]) == (400, QUERY_TOO_OLD)
    assert (await paying).ok


async def test_tips_the_form_would_not_take_are_errors_of_the_test(
        server: BotApiServer, api: ApiCall) -> None:
    asha, poller, invoice = await open_shop(server, api)
    for tip in (10001, -1):
        with pytest.raises(ValueError, match=r"outside 0\.\.10000"):
            await asha.pay(invoice, tip=tip)
    with pytest.raises(ValueError, match="must be an int"):
        await asha.pay(invoice, tip=20.5)  # type: ignore[arg-type]
    await poller.nothing_more()  # nothing reached the bot


async def test_no_answer_in_time_fails_the_payment_and_a_late_answer_is_refused(
        hurried: tuple[BotApiServer, ApiCall]) -> None:
    server, api = hurried
    asha, poller, invoice = await open_shop(server, api)
    async with asyncio.timeout(3):
        payment = await asha.pay(invoice, tip=1000)  # returns once the 0.2 s deadline passed
    assert (payment.ok, payment.status, payment.error_message) == (False, "timeout", None)
    query = (await poller.next())["pre_checkout_query"]
    assert query["id"] == payment.query_id and query["total_amount"] == 55000
    status, body = await api("answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=True)
    assert (status, body["description"]) == (400, QUERY_TOO_OLD)
    await poller.nothing_more()
    assert server.format_transcript().splitlines()[-1] == (
        "⌛ Asha's payment failed: no pre-checkout answer within 0.2s")


async def test_a_payer_who_stops_waiting_ends_the_query(
        server: BotApiServer, api: ApiCall) -> None:
    asha, poller, invoice = await open_shop(server, api)
    paying = asyncio.create_task(asha.pay(invoice))
    query_id = (await poller.next())["pre_checkout_query"]["id"]
    paying.cancel()
    with pytest.raises(asyncio.CancelledError):
        await paying
    status, body = await api("answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=True)
    assert (status, body["description"]) == (400, QUERY_TOO_OLD)


async def test_duplicate_delivery_repeats_the_same_payment(
        server: BotApiServer, api: ApiCall) -> None:
    asha, poller, invoice = await open_shop(server, api)
    paying = asyncio.create_task(asha.pay(invoice, tip=5000, duplicate=True))
    await answer_ok(poller)
    payment = await paying
    first, second = await poller.next(), await poller.next()
    assert first["update_id"] != second["update_id"]
    assert first["message"]["message_id"] != second["message"]["message_id"]
    assert first["message"]["successful_payment"] == second["message"]["successful_payment"]
    paid = first["message"]["successful_payment"]
    assert (paid["total_amount"], paid["invoice_payload"]) == (59000, "order:42")
    assert paid["telegram_payment_charge_id"] == payment.telegram_payment_charge_id
    assert [m.message_id for m in payment.messages] == [
        first["message"]["message_id"], second["message"]["message_id"]]
    await poller.nothing_more()
    assert server.format_transcript().splitlines()[-2:] == [
        "✅ Asha paid ₹590.00: charge sandbox-charge-1",
        "✅ Asha paid ₹590.00: charge sandbox-charge-1 (delivered again)"]


async def test_paying_the_same_invoice_again_is_a_new_charge(
        server: BotApiServer, api: ApiCall) -> None:
    asha, poller, invoice = await open_shop(server, api)
    charges = []
    for _ in range(2):
        paying = asyncio.create_task(asha.pay(invoice))
        query = await answer_ok(poller)
        payment = await paying
        paid = (await poller.next())["message"]["successful_payment"]
        assert paid["telegram_payment_charge_id"] == payment.telegram_payment_charge_id
        charges.append((query["id"], paid["telegram_payment_charge_id"],
                        paid["provider_payment_charge_id"]))
    assert charges[0][0] != charges[1][0]
    assert [c[1:] for c in charges] == [("sandbox-charge-1", "provider-charge-1"),
                                        ("sandbox-charge-2", "provider-charge-2")]
