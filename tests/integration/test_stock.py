"""A dish's portions counted on the real database (issue 14): placing takes them in the
placing's transaction, two customers racing for the last one get one order and one new
summary, and a cancelled order gives its portions back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.customers import Customer
from domain.errors import OutOfStock
from domain.hours import parse_hours
from domain.ids import UserId
from domain.pipeline.actions import Presses
from domain.services.admin.stock import StockAdmin
from domain.services.checkout import CheckoutService
from domain.services.orders import CustomerOrders
from domain.services.shopping import ShoppingService
from domain.views import Placed, Summary, TrackingMessage
from storage.admin_repositories import SqlAdminUnitOfWork
from storage.pipeline.store import SqlPipelineStore
from storage.rows import OrderRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import (
    CUSTOMER,
    OTHER_CUSTOMER,
    T0,
    Catalog,
    FixedClock,
    SeqTokens,
)
from tests.integration.test_place_order import count

Uows = Callable[[], SqlUnitOfWork]


async def stock_of(uows: Uows, catalog: Catalog) -> int | None:
    async with uows() as uow:
        pizza = await uow.menu.get(catalog.pizza.id)
    assert pizza is not None
    return pizza.stock


async def set_stock(uows: Uows, catalog: Catalog, stock: int) -> None:
    async with uows() as uow:
        await uow.menu.save(replace(catalog.pizza, stock=stock))
        await uow.commit()


async def at_summary(uows: Uows, catalog: Catalog, clock: FixedClock, customer: UserId,
                     pizzas: int) -> Summary:
    shopping = ShoppingService(uows, "INR", clock=clock)
    for _ in range(pizzas):
        await shopping.add(Customer(customer, "Asha"), catalog.pizza.id)
    await shopping.add(Customer(customer, "Asha"), catalog.cola.id)
    checkout = CheckoutService(uows, clock, "INR", SeqTokens())
    await checkout.start(customer)
    summary = await checkout.receive_text(customer, "12 Residency Road")
    assert summary is not None
    return summary


async def test_placing_takes_its_portions_and_a_cancel_gives_them_back(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog,
    clock: FixedClock,
) -> None:
    await set_stock(uow_factory, catalog, 5)
    shown = await at_summary(uow_factory, catalog, clock, CUSTOMER, 2)

    placed = await CheckoutService(uow_factory, clock, "INR", SeqTokens()).place(
        CUSTOMER, shown.token, TrackingMessage(CUSTOMER, 70))
    taken = await stock_of(uow_factory, catalog)
    assert isinstance(placed, Placed)
    orders = CustomerOrders(uow_factory, clock, "INR",
                            Presses(SqlPipelineStore(session_factory), clock))
    await orders.cancel(CUSTOMER, placed.view.order.id)

    assert (taken, await stock_of(uow_factory, catalog)) == (3, 5)


async def test_two_customers_racing_for_the_last_portions_get_one_order_and_one_summary(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await set_stock(uow_factory, catalog, 2)
    tokens = {c: (await at_summary(uow_factory, catalog, clock, c, 2)).token
              for c in (CUSTOMER, OTHER_CUSTOMER)}

    answers = await asyncio.gather(*(
        CheckoutService(uow_factory, clock, "INR", SeqTokens()).place(
            c, tokens[c], TrackingMessage(c, 70)) for c in (CUSTOMER, OTHER_CUSTOMER)))

    placed = [a for a in answers if isinstance(a, Placed)]
    again = [a for a in answers if isinstance(a, Summary)]
    assert len(placed) == len(again) == 1
    assert again[0].changed and again[0].removed == ("Pizza",)  # none left: taken out
    assert [line.name for line in again[0].priced.lines] == ["Cola"]
    assert await count(uow_factory, OrderRow) == 1
    assert await stock_of(uow_factory, catalog) == 0


async def test_a_summary_holds_no_more_than_is_left_and_says_so(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    shown = await at_summary(uow_factory, catalog, clock, CUSTOMER, 3)
    await set_stock(uow_factory, catalog, 1)

    again = await CheckoutService(uow_factory, clock, "INR", SeqTokens()).place(
        CUSTOMER, shown.token, TrackingMessage(CUSTOMER, 70))

    assert isinstance(again, Summary) and again.changed and again.short == (("Pizza", 1),)
    assert [(li.name, li.quantity) for li in again.priced.lines] == [("Pizza", 1), ("Cola", 1)]
    assert await count(uow_factory, OrderRow) == 0


async def test_a_cart_cannot_take_more_portions_than_are_left(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await set_stock(uow_factory, catalog, 1)
    shopping = ShoppingService(uow_factory, "INR", clock=clock)
    await shopping.add(Customer(CUSTOMER, "Asha"), catalog.pizza.id)
    with pytest.raises(OutOfStock) as refused:
        await shopping.add(Customer(CUSTOMER, "Asha"), catalog.pizza.id)

    assert refused.value.left == {"Pizza": 1}
    assert (await shopping.cart(CUSTOMER)).item_count == 1


async def test_a_dish_sold_out_for_today_comes_back_at_the_next_opening(
    uow_factory: Uows, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog,
    clock: FixedClock,
) -> None:
    async with uow_factory() as uow:  # Monday noon in London: open until 14:00, then Tuesday
        await uow.restaurants.save(replace(catalog.restaurant, time_zone="Europe/London",
                                           hours=parse_hours("mon-fri 11:00-14:00")))
        await uow.commit()
    stock = StockAdmin(admin_uows, clock)

    sold_out = await stock.set_stock(UserId(9001), catalog.pizza.id, 0, for_today=True)
    before = await stock.restock()
    clock.advance(hours=23)  # Tuesday 11:00
    after = await stock.restock()

    assert sold_out.back_at == T0 + timedelta(hours=23) and before == sold_out.back_at
    assert after is None and await stock_of(uow_factory, catalog) is None  # counted no more
    async with uow_factory() as uow:
        pizza = await uow.menu.get(catalog.pizza.id)
    assert pizza is not None and pizza.orderable and pizza.back_at is None
