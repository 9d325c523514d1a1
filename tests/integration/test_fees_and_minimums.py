"""A restaurant's delivery fee, free-delivery amount and minimum order at checkout, on the real
database: the summary shows what "Place order" charges, a change after the summary shows a new
one, and below the minimum nothing starts or is placed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select

from domain.bill import Bill
from domain.cart import LineKey
from domain.errors import BelowMinimum, StaleSummary
from domain.restaurants import Restaurant
from domain.services.checkout import CheckoutService
from domain.views import Placed, Summary
from storage.rows import CheckoutRow, OrderRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, Catalog, FixedClock, SeqTokens
from tests.integration.test_place_batches import CUSTOMERS, at_summary
from tests.integration.test_place_order import HERE, count, fill_cart

Uows = Callable[[], SqlUnitOfWork]
CART = 56000  # fill_cart: two pizzas and a cola


async def set_terms(uows: Uows, restaurant: Restaurant, **terms: int | None) -> None:
    async with uows() as uow:
        await uow.restaurants.save(replace(restaurant, **terms))  # type: ignore[arg-type]
        await uow.commit()


async def stored_bills(uows: Uows) -> list[tuple[int, ...]]:
    o = OrderRow
    async with uows() as uow:
        rows = await uow.session.execute(
            select(o.subtotal, o.delivery_fee, o.discount, o.tip, o.total).order_by(o.id))
        return [tuple(row) for row in rows]


async def summary(uows: Uows, checkout: CheckoutService) -> Summary:
    await checkout.start(CUSTOMER)
    shown = await checkout.receive_text(CUSTOMER, "12 Residency Road, Bengaluru")
    assert shown is not None
    return shown


@pytest.mark.parametrize(("free_from", "fee"), [(None, 4000), (CART + 1, 4000), (CART, 0)])
async def test_the_order_is_charged_the_fee_its_summary_showed(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock, free_from: int | None, fee: int
) -> None:
    await set_terms(uow_factory, catalog.restaurant, delivery_fee=4000,
                    free_delivery_from=free_from)
    await fill_cart(uow_factory, catalog)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())
    shown = await summary(uow_factory, checkout)

    placed = await checkout.place(CUSTOMER, shown.token, HERE)

    assert shown.bill == Bill("INR", CART, fee)
    assert isinstance(placed, Placed) and placed.view.order.bill == shown.bill
    assert await stored_bills(uow_factory) == [(CART, fee, 0, 0, CART + fee)]
    async with uow_factory() as uow:
        stored = await uow.orders.get(placed.view.order.id)
    assert stored is not None and stored.bill == shown.bill


async def test_a_fee_changed_after_the_summary_shows_a_new_summary_and_places_nothing(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await set_terms(uow_factory, catalog.restaurant, delivery_fee=4000)
    await fill_cart(uow_factory, catalog)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())
    shown = await summary(uow_factory, checkout)
    await set_terms(uow_factory, catalog.restaurant, delivery_fee=5000)

    again = await checkout.place(CUSTOMER, shown.token, HERE)

    assert isinstance(again, Summary) and again.changed
    assert (again.fee_before, again.bill) == (4000, Bill("INR", CART, 5000))
    assert await count(uow_factory, OrderRow) == 0
    placed = await checkout.place(CUSTOMER, again.token, HERE)
    assert isinstance(placed, Placed)
    assert await stored_bills(uow_factory) == [(CART, 5000, 0, 0, CART + 5000)]


async def test_below_the_minimum_checkout_does_not_start(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await set_terms(uow_factory, catalog.restaurant, min_order=CART + 4400)
    await fill_cart(uow_factory, catalog)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())

    with pytest.raises(BelowMinimum) as refused:
        await checkout.start(CUSTOMER)

    assert (refused.value.short_by, refused.value.minimum) == (4400, CART + 4400)
    assert await count(uow_factory, CheckoutRow) == 0


async def test_a_minimum_raised_after_the_summary_places_nothing_and_keeps_the_cart(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    cart = await fill_cart(uow_factory, catalog)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())
    shown = await summary(uow_factory, checkout)
    await set_terms(uow_factory, catalog.restaurant, min_order=CART + 1)

    with pytest.raises(BelowMinimum):
        await checkout.place(CUSTOMER, shown.token, HERE)

    assert await count(uow_factory, OrderRow) == 0
    async with uow_factory() as uow:
        assert await uow.carts.get(CUSTOMER) == cart
    await set_terms(uow_factory, catalog.restaurant, min_order=CART)  # exactly enough
    assert isinstance(await checkout.place(CUSTOMER, shown.token, HERE), Placed)


async def test_a_cart_emptied_below_the_minimum_after_the_summary_cannot_use_it(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await set_terms(uow_factory, catalog.restaurant, min_order=50000)
    cart = await fill_cart(uow_factory, catalog)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())
    shown = await summary(uow_factory, checkout)
    cart.set_quantity(LineKey(catalog.pizza.id), 1)
    async with uow_factory() as uow:
        await uow.carts.save(cart)
        await uow.commit()

    with pytest.raises(BelowMinimum):
        await checkout.place(CUSTOMER, shown.token, HERE)
    # back to the summary's cart: the summary is gone all the same
    cart.set_quantity(LineKey(catalog.pizza.id), 2)
    async with uow_factory() as uow:
        await uow.carts.save(cart)
        await uow.commit()
    with pytest.raises(StaleSummary):
        await checkout.place(CUSTOMER, shown.token, HERE)

    assert await count(uow_factory, OrderRow) == 0


async def test_presses_placed_together_each_keep_their_fee(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await set_terms(uow_factory, catalog.restaurant, delivery_fee=3000)
    tokens = await at_summary(uow_factory, catalog, clock)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())

    answers = await asyncio.gather(*(checkout.place(c, tokens[c], HERE) for c in CUSTOMERS))

    assert all(isinstance(a, Placed) and a.created for a in answers)
    pizza = catalog.pizza.price
    assert await stored_bills(uow_factory) == [(pizza, 3000, 0, 0, pizza + 3000)] * 5
