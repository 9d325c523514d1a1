"""Payments reach any kind of bot: python-telegram-bot, a webhook (even one that fails a
delivery), a poller that filters update types; invoices meet flood limits; /sandbox/pay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice

from sandbox import TEST_PROVIDER_TOKEN, BotApiServer, RateLimits, SandboxError
from tests.sandbox.conftest import ApiCall
from tests.sandbox.shop import INVOICE, answer_ok, open_shop


async def test_ptb_bot_sells_with_a_tip_and_order_info(server: BotApiServer, bot: Bot) -> None:
    asha = server.user(1001, first_name="Asha", last_name="Rao", phone_number="+919800000001")
    await asha.send("/start")
    offset = (await bot.get_updates(timeout=0))[-1].update_id + 1
    pay_button = InlineKeyboardMarkup([[InlineKeyboardButton("Pay ₹540", pay=True)]])
    sent = await bot.send_invoice(
        1001, "Order from Dominos", "2 × Margherita", "order:42", "INR",
        [LabeledPrice("Margherita × 2", 50000), LabeledPrice("Delivery", 4000)],
        provider_token=TEST_PROVIDER_TOKEN, max_tip_amount=10000,
        suggested_tip_amounts=[1000, 2000], need_name=True, need_phone_number=True,
        reply_markup=pay_button)
    assert sent.invoice is not None and sent.invoice.total_amount == 54000
    assert sent.reply_markup is not None and sent.reply_markup.inline_keyboard[0][0].pay
    paying = asyncio.create_task(asha.pay(sent.message_id, tip=2000))
    updates = await bot.get_updates(offset=offset, timeout=5)
    query = updates[0].pre_checkout_query
    assert query is not None and query.total_amount == 56000
    assert query.invoice_payload == "order:42" and query.from_user.id == 1001
    assert query.order_info is not None
    assert (query.order_info.name, query.order_info.phone_number) == ("Asha Rao", "+919800000001")
    assert query.order_info.email is None and query.order_info.shipping_address is None
    assert await query.answer(ok=True)
    payment = await paying
    updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=5)
    message = updates[0].message
    assert message is not None and message.successful_payment is not None
    paid = message.successful_payment
    assert (paid.total_amount, paid.currency, paid.invoice_payload) == (56000, "INR", "order:42")
    assert paid.telegram_payment_charge_id == payment.telegram_payment_charge_id
    assert paid.order_info is not None and paid.order_info.name == "Asha Rao"


class PayingWebhook:
    """A webhook bot that accepts each pre-checkout query before answering the webhook
    request; ``fail_first`` answers the first pre-checkout delivery 500 instead."""

    def __init__(self, api: ApiCall) -> None:
        self.api = api
        self.received: list[dict[str, Any]] = []
        self.fail_first = False

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        query = update.get("pre_checkout_query")
        if query is not None and self.fail_first:
            self.fail_first = False
            return web.Response(status=500)
        self.received.append(update)
        if query is not None:
            await self.api("answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=True)
        return web.Response(text="ok")


@pytest.fixture
async def webhook(server: BotApiServer, api: ApiCall) -> AsyncIterator[PayingWebhook]:
    hook = PayingWebhook(api)
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    assert (await api("setWebhook", url=url))[0] == 200
    yield hook
    await runner.cleanup()


@pytest.mark.parametrize("fail_first", [False, True])
async def test_webhook_bot_gets_the_query_and_both_duplicate_payments(
        server: BotApiServer, api: ApiCall, webhook: PayingWebhook, fail_first: bool) -> None:
    webhook.fail_first = fail_first  # a retried delivery still beats the 10 s deadline
    asha = server.user(1001, first_name="Asha")
    await asha.send("/start")
    assert (await api("sendInvoice", chat_id=1001, **INVOICE))[0] == 200
    invoice = await asha.wait_for(lambda m: m.invoice is not None)
    payment = await asha.pay(invoice, tip=1000, duplicate=True)
    assert payment.ok and payment.total_amount == 55000
    await asha.wait_until(lambda: len(webhook.received) == 4 and not server.pending_updates)
    kinds = [next(k for k in u if k != "update_id") for u in webhook.received]
    assert kinds == ["message", "pre_checkout_query", "message", "message"]
    first, second = (u["message"]["successful_payment"] for u in webhook.received[2:])
    assert first == second and first["telegram_payment_charge_id"] == "sandbox-charge-1"


async def test_a_bot_not_asking_for_pre_checkout_queries_never_sees_one(
        hurried: tuple[BotApiServer, ApiCall]) -> None:
    server, api = hurried
    asha, poller, invoice = await open_shop(server, api)
    status, _ = await api("getUpdates", offset=poller.offset, allowed_updates=["message"])
    assert status == 200
    payment = await asha.pay(invoice)  # Telegram drops the update; the form times out
    assert payment.status == "timeout"
    await poller.nothing_more()


async def test_invoices_count_towards_flood_limits(token: str, clock: Any) -> None:
    limits = RateLimits(per_chat_per_s=1.0, per_chat_burst=1)
    async with (BotApiServer(token, limits=limits, clock=clock) as server,
                httpx.AsyncClient(base_url=server.url) as client):
        await server.user(1001).send("/start")
        url = f"/bot{token}/sendInvoice"
        assert (await client.post(f"/bot{token}/sendMessage",
                                  json={"chat_id": 1001, "text": "Your order"})).status_code == 200
        refused = await client.post(url, json={"chat_id": 1001, **INVOICE})
        assert refused.status_code == 429
        assert refused.json()["parameters"] == {"retry_after": 1}
        clock.advance(1.0)
        assert (await client.post(url, json={"chat_id": 1001, **INVOICE})).status_code == 200
        assert server.sends.free == 2
        assert [m.invoice is not None for m in server.user(1001).bot_messages] == [False, True]


async def test_pay_over_the_sandbox_http_endpoint(
        server: BotApiServer, api: ApiCall, http: httpx.AsyncClient) -> None:
    _, poller, invoice = await open_shop(server, api)
    paying = asyncio.create_task(http.post("/sandbox/users/1001/pay", json={"tip": 5000}))
    await answer_ok(poller)
    body = (await paying).json()["result"]
    assert (body["ok"], body["status"], body["total_amount"]) == (True, "paid", 59000)
    assert body["invoice_message_id"] == invoice.message_id
    assert body["messages"][0]["successful_payment"]["telegram_payment_charge_id"] == (
        "sandbox-charge-1")
    too_much = await http.post("/sandbox/users/1001/pay", json={"tip": 10001})
    assert too_much.status_code == 400 and "outside 0..10000" in too_much.json()["error"]


async def test_pay_button_and_missing_invoice_are_explained(
        server: BotApiServer, api: ApiCall) -> None:
    markup = {"inline_keyboard": [[{"text": "Pay", "pay": True}]]}
    asha, _, invoice = await open_shop(server, api, reply_markup=markup)
    with pytest.raises(SandboxError, match="Pay button: call pay"):
        await asha.press("Pay")
    with pytest.raises(SandboxError, match="has no invoice message #1"):
        await asha.pay(1)  # the user's /start
    assert (await api("sendInvoice", chat_id=1001, **INVOICE, is_flexible=True))[0] == 200
    flexible = await asha.wait_for(lambda m: m.invoice is not None and m.invoice.is_flexible)
    with pytest.raises(SandboxError, match="shipping queries"):
        await asha.pay(flexible)
    assert invoice.message_id != flexible.message_id
