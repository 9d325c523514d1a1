"""Paying in chat through the real bot and the local server's test provider (issue 13): 💳 Pay
now sends an invoice, the customer pays it with a tip, the summary becomes the tracking message
marked 💳 Paid and the partner collects nothing; Telegram's question before payment is refused
when the order changed; the same payment delivered twice makes one order; a paid order
cancelled is a refund due that admins list and record as made."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.settings import Settings
from domain.ids import OrderId
from domain.services.payments import NotPayable
from sandbox import TEST_PROVIDER_TOKEN, BotApiServer, ChatMessage, SandboxUser
from storage.rows import OrderRow
from tests.e2e.conftest import e2e_settings
from tests.e2e.fast_pipeline import no_flood_limits  # noqa: F401  (fixture)
from tests.e2e.journey import (
    TIMEOUT,
    Uows,
    add_dishes,
    change_dish,
    checkout_to_summary,
    open_menu,
    press,
    say,
    stored_order,
)
from tests.e2e.test_partners import offer_for, online_partner, order_id_of

PIZZA = "➕ Pizza · ₹250.00"


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, queue_interval_s=0.05, outbox_interval_s=0.05,
                        rate_limit_per_chat_per_s=20.0, payment_provider_token=TEST_PROVIDER_TOKEN,
                        payment_tips="20,50,100", payment_max_tip="500")


async def invoice_for_two_pizzas(customer: SandboxUser) -> tuple[ChatMessage, ChatMessage]:
    """The summary of two pizzas and, after 💳 Pay now, its invoice."""
    await open_menu(customer)
    await add_dishes(customer, PIZZA, PIZZA)
    summary = await checkout_to_summary(customer)
    await customer.press(texts.PAY_NOW_BUTTON, message_id=summary.message_id)
    invoice = await customer.wait_for(lambda m: m.invoice is not None, timeout=TIMEOUT)
    return summary, invoice


async def order_count(uows: Uows) -> int:
    async with uows() as uow:
        return (await uow.session.execute(select(func.count()).select_from(OrderRow))
                ).scalar_one()


async def test_a_customer_pays_with_a_tip_and_the_partner_collects_nothing(
    bot: object, customer: SandboxUser, partner: SandboxUser, uows: Uows
) -> None:
    await online_partner(uows, partner)
    summary, invoice = await invoice_for_two_pizzas(customer)
    assert summary.buttons[:2] == [texts.PLACE_CASH_BUTTON, texts.PAY_NOW_BUTTON]
    assert "pay on delivery" not in summary.content
    assert invoice.invoice is not None
    assert (invoice.invoice.total_amount, invoice.invoice.currency) == (50000, "INR")
    assert invoice.invoice.suggested_tip_amounts == (2000, 5000, 10000)

    payment = await customer.pay(invoice, tip=2000)
    placed = await customer.wait_for_new(lambda m: "Payment received" in m.content,
                                         timeout=TIMEOUT)

    assert payment.ok and payment.total_amount == 52000
    order_id = int(placed.content.split("order #")[1].split()[0])
    tracking = await customer.wait_for(
        lambda m: m.message_id == summary.message_id and "💳 Paid" in m.content, timeout=TIMEOUT)
    assert "Tip: ₹20.00\nTotal: ₹520.00 · 💳 paid online" in tracking.content
    order = await stored_order(uows, order_id)
    assert (order.paid_online, order.bill.tip, order.total.amount) == (True, 2000, 52000)
    offer = await offer_for(partner)
    assert "💳 Paid online — collect nothing" in offer.content
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    assert "Tip: ₹20.00" in card.content and "💳 Paid online — collect nothing" in card.content


async def test_the_check_before_payment_refuses_an_order_whose_price_changed(
    bot: object, customer: SandboxUser, uows: Uows
) -> None:
    _, invoice = await invoice_for_two_pizzas(customer)
    await change_dish(uows, "Pizza", price=26000)

    payment = await customer.pay(invoice)
    fresh = await customer.wait_for_new(lambda m: "Something changed" in m.content,
                                        timeout=TIMEOUT)

    assert (payment.ok, payment.error_message) == (False, texts.not_payable(NotPayable.CHANGED))
    assert "Total: ₹520.00" in fresh.content and fresh.has_button(texts.PAY_NOW_BUTTON)
    assert await order_count(uows) == 0


async def test_the_same_payment_delivered_twice_makes_one_order(
    bot: object, customer: SandboxUser, uows: Uows
) -> None:
    _, invoice = await invoice_for_two_pizzas(customer)

    payment = await customer.pay(invoice, duplicate=True)
    await customer.wait_for_new(lambda m: "Payment received" in m.content, timeout=TIMEOUT)
    await say(customer, "/start", "Foodbot")  # answered after both deliveries: in order

    assert payment.ok and len(payment.messages) == 2
    received = [m for m in customer.messages if "Payment received" in m.content]
    assert len(received) == 1 and await order_count(uows) == 1


async def test_a_customer_who_deleted_the_summary_is_shown_the_paid_order_anew(
    bot: object, customer: SandboxUser, uows: Uows
) -> None:
    summary, invoice = await invoice_for_two_pizzas(customer)
    customer.delete(summary.message_id)  # the message that was to become the tracking one

    await customer.pay(invoice, tip=2000)
    shown = await customer.wait_for_new(lambda m: "Payment received" in m.content,
                                        timeout=TIMEOUT)

    order_id = order_id_of(shown)
    assert texts.PAYMENT_SHOWN.format(order_id=order_id) in shown.content
    assert "Total: ₹520.00 · 💳 paid online" in shown.content  # the order itself, there
    assert not [m for m in customer.messages if texts.SORRY in m.content]
    async with uows() as uow:  # later changes are shown in it
        tracking = await uow.tracking.get(OrderId(order_id))
    assert tracking is not None and tracking.message_id == shown.message_id
    assert (await stored_order(uows, order_id)).paid_online


async def test_a_cancelled_paid_order_is_a_refund_due_until_an_admin_records_it(
    bot: object, customer: SandboxUser, admin: SandboxUser, uows: Uows
) -> None:
    await say(admin, "/start", "Foodbot")
    summary, invoice = await invoice_for_two_pizzas(customer)
    await customer.pay(invoice, tip=5000)
    tracking = await customer.wait_for(
        lambda m: m.message_id == summary.message_id and "💳 Paid" in m.content, timeout=TIMEOUT)
    order_id = order_id_of(tracking)

    await say(admin, f"/cancelorder {order_id} Kitchen fire", "Cancelled order")
    promised = await customer.wait_for_text("will be refunded", timeout=TIMEOUT)
    due = await admin.wait_for_text("Refund due", timeout=TIMEOUT)
    listed = await say(admin, "/refunds", "refunds due")

    assert "₹550.00" in promised.content and f"order #{order_id}" in due.content
    assert f"₹550.00 · order #{order_id}" in listed.content and "sandbox-charge-" in (
        listed.content)
    refund_id = int(listed.content.split("\n#")[1].split()[0])
    await say(admin, f"/refunded {refund_id} Refunded at the provider, ref re_1", "Recorded refund")
    done = await customer.wait_for_text("has been made", timeout=TIMEOUT)
    assert "₹550.00" in done.content
    assert "No refunds are due." in (await say(admin, "/refunds", "refunds")).content
    shown = await say(admin, f"/showorder {order_id}", f"Order #{order_id}")
    assert "Payment: online, ₹550.00 · charge sandbox-charge-" in shown.content
    assert f"Refund #{refund_id}: ₹550.00 made" in shown.content
    stats = await say(admin, "/stats", "Today")
    assert "online ₹0.00" in stats.content and "refunds due 1: ₹550.00" in stats.content


async def test_a_payment_for_an_order_that_can_no_longer_be_placed_is_refunded_at_once(
    bot: object, customer: SandboxUser, admin: SandboxUser, uows: Uows, settings: Settings,
    server: BotApiServer,
) -> None:
    await say(admin, "/start", "Foodbot")
    _, invoice = await invoice_for_two_pizzas(customer)
    database = settings.database_url.removeprefix("sqlite+aiosqlite:///")

    def close_dominos(method: str, _chat: int | None) -> None:
        """The kitchen closes between Telegram's question and the money arriving."""
        if method == "answerprecheckoutquery":
            with sqlite3.connect(database) as db:
                db.execute("UPDATE restaurants SET is_open = 0 WHERE name = 'Dominos'")

    server.before_call(close_dominos)
    payment = await customer.pay(invoice, tip=2000)
    told = await customer.wait_for_new(lambda m: "will be refunded" in m.content,
                                       timeout=TIMEOUT)

    assert payment.ok
    assert "could not place your order (Dominos is closed)" in told.content
    assert "₹520.00" in told.content and await order_count(uows) == 0
    due = await admin.wait_for_text("Refund due", timeout=TIMEOUT)
    assert "₹520.00 for a payment that placed no order (Dominos is closed)" in due.content
    listed = await say(admin, "/refunds", "refunds due")
    assert "₹520.00 · no order" in listed.content
