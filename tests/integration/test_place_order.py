"""Placing an order through checkout (the one way to place one) on the real database: all of
it in one transaction, or none of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Self

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.cart import Cart
from domain.errors import RestaurantClosed
from domain.ids import TaskId
from domain.orders import OrderStatus
from domain.services.checkout import CheckoutService
from domain.tasks import NewTask
from domain.views import Placed, TrackingMessage
from storage.rows import OrderEventRow, OrderItemRow, OrderRow, TaskRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, Catalog, FixedClock, SeqTokens

Uows = Callable[[], SqlUnitOfWork]
HERE = TrackingMessage(CUSTOMER, 77)


class QueueDown(Exception):
    pass


class BrokenQueue:
    async def enqueue(self, task: NewTask) -> TaskId:
        raise QueueDown("the queue table is unreachable")

    async def enqueue_many(self, tasks: Sequence[NewTask]) -> None:
        raise QueueDown("the queue table is unreachable")


class UnitOfWorkWithBrokenQueue(SqlUnitOfWork):
    """Fails at the task queue, after the order, its items and its event are written."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.tasks = BrokenQueue()
        return self


async def fill_cart(uows: Uows, catalog: Catalog) -> Cart:
    cart = Cart(CUSTOMER)
    cart.add(catalog.pizza, 2)
    cart.add(catalog.cola)
    async with uows() as uow:
        await uow.carts.save(cart)
        await uow.commit()
    return cart


async def summary_token(uows: Uows, clock: FixedClock) -> int:
    """Checkout up to the summary the customer would press "Place order" on."""
    checkout = CheckoutService(uows, clock, "INR", SeqTokens())
    await checkout.start(CUSTOMER)
    summary = await checkout.receive_text(CUSTOMER, "12 Residency Road, Bengaluru")
    assert summary is not None
    return summary.token


async def count(uows: Uows, row: type[object]) -> int:
    async with uows() as uow:
        return (await uow.session.execute(select(func.count()).select_from(row))).scalar_one()


async def test_placing_an_order_writes_order_items_event_and_task_and_empties_the_cart(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await fill_cart(uow_factory, catalog)
    token = await summary_token(uow_factory, clock)

    placed = await CheckoutService(uow_factory, clock, "INR", SeqTokens()).place(
        CUSTOMER, token, HERE)

    assert isinstance(placed, Placed) and placed.created
    async with uow_factory() as uow:
        stored = await uow.orders.get(placed.view.order.id)
        history = await uow.orders.history(placed.view.order.id)
        task = (await uow.session.execute(select(TaskRow))).scalar_one()
        cart = await uow.carts.get(CUSTOMER)
        total = (await uow.session.execute(select(OrderRow.total))).scalar_one()
    assert stored == placed.view.order
    assert stored is not None
    assert [(i.name, i.quantity) for i in stored.items] == [("Pizza", 2), ("Cola", 1)]
    assert total == 56000
    assert [(e.from_status, e.to_status, e.at) for e in history] == [
        (None, OrderStatus.CREATED, clock.now())
    ]
    assert (task.kind, task.order_id, task.state, task.run_at) == (
        "confirm_order", stored.id, "pending", clock.now()
    )
    assert cart.is_empty


async def test_a_failure_while_placing_leaves_nothing_and_keeps_the_cart(
    uow_factory: Uows,
    session_factory: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    clock: FixedClock,
) -> None:
    cart = await fill_cart(uow_factory, catalog)
    token = await summary_token(uow_factory, clock)
    broken = CheckoutService(lambda: UnitOfWorkWithBrokenQueue(session_factory), clock, "INR",
                             SeqTokens())

    with pytest.raises(QueueDown):
        await broken.place(CUSTOMER, token, HERE)

    for row in (OrderRow, OrderItemRow, OrderEventRow, TaskRow):
        assert await count(uow_factory, row) == 0, row.__name__
    async with uow_factory() as uow:
        assert await uow.carts.get(CUSTOMER) == cart


async def test_placing_twice_from_one_summary_creates_one_order(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await fill_cart(uow_factory, catalog)
    token = await summary_token(uow_factory, clock)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())

    first = await checkout.place(CUSTOMER, token, HERE)
    await fill_cart(uow_factory, catalog)  # even with a full cart again
    second = await checkout.place(CUSTOMER, token, HERE)

    assert isinstance(first, Placed) and isinstance(second, Placed)
    assert (first.created, second.created) == (True, False)
    assert second.view.order == first.view.order
    assert await count(uow_factory, OrderRow) == 1
    assert await count(uow_factory, TaskRow) == 1


async def test_a_closed_restaurant_takes_no_order(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    cart = await fill_cart(uow_factory, catalog)
    token = await summary_token(uow_factory, clock)
    async with uow_factory() as uow:
        await uow.restaurants.save(replace(catalog.restaurant, is_open=False))
        await uow.commit()

    with pytest.raises(RestaurantClosed):
        await CheckoutService(uow_factory, clock, "INR", SeqTokens()).place(CUSTOMER, token, HERE)

    assert await count(uow_factory, OrderRow) == 0
    async with uow_factory() as uow:
        assert await uow.carts.get(CUSTOMER) == cart
