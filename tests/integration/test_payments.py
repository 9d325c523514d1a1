"""Paying in chat on the real database (issue 13): a payment places its order exactly once,
keeps its tip and charge ids, and a payment that can no longer become its order is a refund
due at once — money is never kept without an order or a refund."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select

from domain.bill import Bill
from domain.checkout import order_key
from domain.customers import Customer
from domain.errors import RestaurantClosed
from domain.messages import Kind
from domain.payments import Payment, Refund, Tips
from domain.services.checkout import CheckoutService
from domain.services.payments import NotPayable, PaymentService
from domain.services.shopping import ShoppingService
from domain.views import Placed, Summary
from storage.rows import OrderRow, OutboxRow, PaymentRow, RefundRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, Catalog, FixedClock, SeqTokens
from tests.integration.test_place_order import count

Uows = Callable[[], SqlUnitOfWork]
TIPS = Tips((2000, 5000), 50000)
PIZZAS = 50000
SUMMARY_MESSAGE = 77


async def at_invoice(uows: Uows, catalog: Catalog, clock: FixedClock) -> tuple[PaymentService, str]:
    """Two pizzas in the cart, the summary shown, 💳 Pay now pressed: the service and the
    invoice's payload."""
    shopping = ShoppingService(uows, "INR", clock=clock)
    for _ in range(2):
        await shopping.add(Customer(CUSTOMER, "Asha"), catalog.pizza.id)
    checkout = CheckoutService(uows, clock, "INR", SeqTokens())
    await checkout.start(CUSTOMER)
    summary = await checkout.receive_text(CUSTOMER, "12 Residency Road")
    assert summary is not None
    payments = PaymentService(uows, clock, checkout.summaries, TIPS, frozenset({9001}))
    invoice = await payments.invoice(CUSTOMER, summary.token, SUMMARY_MESSAGE)
    assert not isinstance(invoice, Summary)
    assert invoice.prices == (("2 × Pizza", PIZZAS),) and invoice.total == PIZZAS
    assert invoice.payload == order_key(CUSTOMER, summary.token)
    return payments, invoice.payload


def payment(payload: str, total: int, charge: str = "charge-1") -> Payment:
    return Payment(CUSTOMER, payload, "INR", total, charge, f"provider-{charge}")


async def test_a_payment_with_a_tip_places_its_order_once(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    payments, payload = await at_invoice(uow_factory, catalog, clock)
    assert (await payments.pre_check(CUSTOMER, payload, "INR", PIZZAS + 2000)).problem is None

    first = await payments.paid(payment(payload, PIZZAS + 2000), CUSTOMER)
    again = await payments.paid(payment(payload, PIZZAS + 2000), CUSTOMER)  # reported twice

    assert first.first and not again.first
    assert isinstance(first.outcome, Placed) and isinstance(again.outcome, Placed)
    order = first.outcome.view.order
    assert again.outcome.view.order.id == order.id
    assert (order.bill, order.paid_online) == (Bill("INR", PIZZAS, tip=2000), True)
    assert first.outcome.view.tracking is not None
    assert first.outcome.view.tracking.message_id == SUMMARY_MESSAGE
    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
        row = (await uow.session.execute(select(PaymentRow))).scalar_one()
    assert stored is not None and (stored.bill.tip, stored.paid_online) == (2000, True)
    assert (row.order_id, row.tip, row.provider_charge_id) == (order.id, 2000, "provider-charge-1")
    assert await count(uow_factory, OrderRow) == 1 and await count(uow_factory, RefundRow) == 0


async def test_a_second_payment_of_the_same_invoice_is_a_refund_due(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    payments, payload = await at_invoice(uow_factory, catalog, clock)
    await payments.paid(payment(payload, PIZZAS), CUSTOMER)

    second = await payments.paid(payment(payload, PIZZAS + 5000, "charge-2"), CUSTOMER)

    refund = second.outcome
    assert second.first and isinstance(refund, Refund)
    assert (refund.amount, refund.order_id, refund.telegram_charge_id) == (
        PIZZAS + 5000, None, "charge-2")
    assert "paid for already" in refund.reason
    assert await count(uow_factory, OrderRow) == 1
    async with uow_factory() as uow:
        assert [r.id for r in await uow.payments.refunds_due(10)] == [refund.id]
        told = (await uow.session.execute(select(OutboxRow.chat_id).where(
            OutboxRow.kind == Kind.REFUND_DUE.value))).scalars().all()
    assert told == [9001]  # the admin


async def test_a_restaurant_closed_after_the_check_makes_the_payment_a_refund(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    payments, payload = await at_invoice(uow_factory, catalog, clock)
    assert (await payments.pre_check(CUSTOMER, payload, "INR", PIZZAS)).problem is None
    async with uow_factory() as uow:
        await uow.restaurants.save(replace(catalog.restaurant, is_open=False))
        await uow.commit()

    paid = await payments.paid(payment(payload, PIZZAS), CUSTOMER)

    assert isinstance(paid.outcome, Refund) and paid.outcome.amount == PIZZAS
    assert paid.outcome.reason == "Dominos is closed"
    assert await count(uow_factory, OrderRow) == 0
    again = await payments.paid(payment(payload, PIZZAS), CUSTOMER)
    assert not again.first and again.outcome == paid.outcome  # one refund, however reported


async def test_the_check_before_payment_refuses_a_changed_order_or_a_wrong_amount(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    payments, payload = await at_invoice(uow_factory, catalog, clock)

    too_much_tip = await payments.pre_check(CUSTOMER, payload, "INR", PIZZAS + 50001)
    short = await payments.pre_check(CUSTOMER, payload, "INR", PIZZAS - 1)
    other = await payments.pre_check(CUSTOMER, payload.replace(":1001:", ":1002:"), "INR",
                                     PIZZAS)
    async with uow_factory() as uow:
        await uow.menu.save(replace(catalog.pizza, price=26000))
        await uow.commit()
    changed = await payments.pre_check(CUSTOMER, payload, "INR", PIZZAS)

    amount, stale = NotPayable.AMOUNT, NotPayable.STALE
    assert (too_much_tip.problem, short.problem, other.problem) == (amount, amount, stale)
    assert changed.problem == NotPayable.CHANGED and changed.summary is not None
    assert changed.summary.changed and changed.summary.bill.subtotal == 52000
    old = await payments.pre_check(CUSTOMER, payload, "INR", PIZZAS)  # the old invoice
    assert old.problem == NotPayable.STALE


@pytest.mark.parametrize("tip", [0, 50000])
async def test_tips_from_none_to_the_largest_are_taken(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, tip: int
) -> None:
    payments, payload = await at_invoice(uow_factory, catalog, clock)
    assert (await payments.pre_check(CUSTOMER, payload, "INR", PIZZAS + tip)).problem is None


async def test_the_check_before_payment_refuses_a_closed_restaurant_with_the_reason(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    payments, payload = await at_invoice(uow_factory, catalog, clock)
    async with uow_factory() as uow:
        await uow.restaurants.save(replace(catalog.restaurant, is_open=False))
        await uow.commit()

    check = await payments.pre_check(CUSTOMER, payload, "INR", PIZZAS)

    assert isinstance(check.problem, RestaurantClosed) and check.problem.name == "Dominos"
