"""The customer's journey on the real database: checkout drafts, placing once, tracking
messages, ratings, cancelling and reordering."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from itertools import count
from typing import Self

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.checkout import Checkout, CheckoutStep, SnapshotLine, order_key
from domain.customers import Customer
from domain.errors import NotFound, StaleSummary, TooLateToCancel
from domain.ids import MenuItemId, OrderId, UserId
from domain.messages import Kind
from domain.orders import Order, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.actions import Presses
from domain.services.checkout import CheckoutService
from domain.services.orders import CustomerOrders
from domain.services.shopping import ShoppingService
from domain.views import Placed, Summary, TrackingMessage
from storage.pipeline.store import SqlPipelineStore
from storage.rows import OrderRow, OutboxRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import (
    CUSTOMER,
    T0,
    Catalog,
    FixedClock,
    new_order,
    store_order,
)
from tests.scenes import move_order

Uows = Callable[[], SqlUnitOfWork]
ASHA = Customer(CUSTOMER, "Asha")
HERE = TrackingMessage(CUSTOMER, 77)


class CountingTokens:
    def __init__(self) -> None:
        self._next = count(1)

    def new_token(self) -> int:
        return next(self._next)


async def rows(uows: Uows, row: type[object]) -> int:
    async with uows() as uow:
        return (await uow.session.execute(select(func.count()).select_from(row))).scalar_one()


def blind_to_keys(sessions: async_sessionmaker[AsyncSession]) -> Uows:
    """Units of work whose first idempotency-key lookup misses, as a press on another
    instance would that read just before the winner committed."""
    misses = [True]

    class BlindOnce(SqlUnitOfWork):
        async def __aenter__(self) -> Self:
            await super().__aenter__()
            found_by_key = self.orders.get_by_idempotency_key

            async def lookup(key: str) -> Order | None:
                return None if misses and misses.pop() else await found_by_key(key)

            self.orders.get_by_idempotency_key = lookup  # type: ignore[method-assign]
            return self

    return lambda: BlindOnce(sessions)


async def summary_for(uows: Uows, catalog: Catalog, clock: FixedClock) -> tuple[
        CheckoutService, Summary]:
    await ShoppingService(uows, "INR", clock=clock).add(ASHA, catalog.pizza.id)
    checkout = CheckoutService(uows, clock, "INR", CountingTokens())
    await checkout.start(CUSTOMER)
    summary = await checkout.receive_text(CUSTOMER, "12 Residency Road")
    assert summary is not None
    return checkout, summary


async def place_one(uows: Uows, catalog: Catalog, clock: FixedClock) -> OrderId:
    """A pizza ordered through checkout; the new order's id."""
    checkout, summary = await summary_for(uows, catalog, clock)
    placed = await checkout.place(CUSTOMER, summary.token, HERE)
    assert isinstance(placed, Placed)
    return placed.view.order.id


async def test_a_checkout_draft_round_trips_and_is_deleted(uow_factory: Uows) -> None:
    draft = Checkout(CUSTOMER, CheckoutStep.CONFIRM, "📍 12.97160, 77.59460", 12.9716, 77.5946,
                     "ring twice", 2**62 - 1, (SnapshotLine(MenuItemId(5), 2, 25000),))
    async with uow_factory() as uow:
        await uow.customers.ensure(ASHA)
        await uow.checkouts.save(draft)
        await uow.checkouts.save(draft)  # saving again replaces
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.checkouts.get(CUSTOMER) == draft
        await uow.checkouts.delete(CUSTOMER)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.checkouts.get(CUSTOMER) is None


async def test_ensuring_a_customer_keeps_what_is_known_about_them(uow_factory: Uows) -> None:
    async with uow_factory() as uow:
        await uow.customers.save(Customer(CUSTOMER, "Asha", "+91 98450 12345"))
        await uow.customers.ensure(Customer(CUSTOMER, "Someone else"))
        await uow.customers.ensure(Customer(UserId(1003), "Carol"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.customers.get(CUSTOMER) == Customer(CUSTOMER, "Asha", "+91 98450 12345")
        assert await uow.customers.get(UserId(1003)) == Customer(UserId(1003), "Carol")


async def test_placing_from_a_summary_twice_places_one_order_with_its_tracking_message(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    checkout, summary = await summary_for(uow_factory, catalog, clock)

    first = await checkout.place(CUSTOMER, summary.token, HERE)
    second = await checkout.place(CUSTOMER, summary.token, HERE)

    assert isinstance(first, Placed) and isinstance(second, Placed)
    assert (first.created, second.created) == (True, False)
    assert first.view.order.id == second.view.order.id
    assert first.view.tracking == HERE
    assert await rows(uow_factory, OrderRow) == 1
    async with uow_factory() as uow:
        assert await uow.checkouts.get(CUSTOMER) is None
        assert await uow.tracking.get(first.view.order.id) == HERE


async def test_two_instances_pressing_place_at_once_place_one_order(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    checkout, summary = await summary_for(uow_factory, catalog, clock)
    other_instance = CheckoutService(uow_factory, clock, "INR", CountingTokens())

    results = await asyncio.gather(
        checkout.place(CUSTOMER, summary.token, HERE),
        other_instance.place(CUSTOMER, summary.token, HERE),
    )

    assert all(isinstance(r, Placed) for r in results)
    placed = [r for r in results if isinstance(r, Placed)]
    assert sorted(p.created for p in placed) == [False, True]
    assert placed[0].view.order.id == placed[1].view.order.id
    assert await rows(uow_factory, OrderRow) == 1


class _ReadLate:
    """A repository whose first read (`get`, or `get_many` as a batch of presses reads) lets
    `meanwhile` (the other press) run to its end."""

    def __init__(self, repository: object, meanwhile: list[Callable[[], Awaitable[object]]]
                 ) -> None:
        self._repository, self._meanwhile = repository, meanwhile

    async def get(self, *args: object) -> object:
        if self._meanwhile:
            await self._meanwhile.pop()()
        return await self._repository.get(*args)  # type: ignore[attr-defined]

    async def get_many(self, *args: object) -> object:
        if self._meanwhile:
            await self._meanwhile.pop()()
        return await self._repository.get_many(*args)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._repository, name)


@pytest.mark.parametrize("read", ["checkouts", "carts"])
async def test_a_press_whose_reads_straddle_the_winning_commit_answers_with_its_order(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog,
    clock: FixedClock, read: str,
) -> None:
    """The other press commits between this one's first look and its read of the summary (or
    of the cart): the summary is gone (the cart empty), and the answer is the order placed."""
    first, summary = await summary_for(uow_factory, catalog, clock)
    winner: list[Placed | Summary] = []

    async def other_press() -> None:
        winner.append(await first.place(CUSTOMER, summary.token, HERE))

    meanwhile: list[Callable[[], Awaitable[object]]] = [other_press]

    class Straddling(SqlUnitOfWork):
        async def __aenter__(self) -> Self:
            await super().__aenter__()
            setattr(self, read, _ReadLate(getattr(self, read), meanwhile))
            return self

    late = CheckoutService(lambda: Straddling(session_factory), clock, "INR", CountingTokens())
    answer = await late.place(CUSTOMER, summary.token, HERE)

    assert isinstance(winner[0], Placed) and winner[0].created
    assert isinstance(answer, Placed) and not answer.created
    assert answer.view.order.id == winner[0].view.order.id
    assert await rows(uow_factory, OrderRow) == 1


async def test_a_press_that_loses_the_insert_race_answers_with_the_winning_order(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog,
    clock: FixedClock,
) -> None:
    _, summary = await summary_for(uow_factory, catalog, clock)
    key = order_key(CUSTOMER, summary.token)
    winner = (await store_order(uow_factory, new_order(catalog, T0, key=key))).id

    hidden = CheckoutService(blind_to_keys(session_factory), clock, "INR", CountingTokens())
    result = await hidden.place(CUSTOMER, summary.token, HERE)

    assert isinstance(result, Placed)
    assert (result.created, result.view.order.id) == (False, winner)
    assert await rows(uow_factory, OrderRow) == 1


async def test_an_outdated_or_forged_token_places_nothing(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    checkout, old = await summary_for(uow_factory, catalog, clock)
    newer = await checkout.receive_text(CUSTOMER, "ring twice")
    assert newer is not None and newer.token != old.token

    for token in (old.token, 999):
        with pytest.raises(StaleSummary):
            await checkout.place(CUSTOMER, token, HERE)
    with pytest.raises(StaleSummary):
        await checkout.place(UserId(1002), newer.token, HERE)  # another customer's summary
    assert await rows(uow_factory, OrderRow) == 0


async def test_a_price_change_gives_a_new_summary_instead_of_an_order(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    checkout, summary = await summary_for(uow_factory, catalog, clock)
    async with uow_factory() as uow:
        await uow.menu.save(replace(catalog.pizza, price=27500))
        await uow.commit()

    again = await checkout.place(CUSTOMER, summary.token, HERE)

    assert isinstance(again, Summary) and again.changed and again.token != summary.token
    assert [(c.name, c.before.amount, c.after.amount) for c in again.price_changes] == [
        ("Pizza", 25000, 27500)]
    assert await rows(uow_factory, OrderRow) == 0
    placed = await checkout.place(CUSTOMER, again.token, HERE)
    assert isinstance(placed, Placed) and placed.view.order.total.amount == 27500


def customer_orders(uows: Uows, sessions: async_sessionmaker[AsyncSession],
                    clock: FixedClock) -> CustomerOrders:
    return CustomerOrders(uows, clock, "INR", Presses(SqlPipelineStore(sessions), clock))


async def test_a_customer_cancel_frees_the_partner_and_tells_partner_and_restaurant(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog,
    clock: FixedClock,
) -> None:
    order_id = await place_one(uow_factory, catalog, clock)
    ravi = Partner(UserId(2001), "Ravi", PartnerStatus.APPROVED, online=True)
    async with uow_factory() as uow:
        await uow.partners.save(ravi)
        await move_order(uow.session, order_id, OrderStatus.CONFIRMED, at=T0, partner=ravi.id)
        await uow.commit()
    orders = customer_orders(uow_factory, session_factory, clock)

    view = await orders.cancel(CUSTOMER, order_id)
    again = await orders.cancel(CUSTOMER, order_id)  # a repeated press changes nothing

    assert view.order.status == again.order.status == OrderStatus.CANCELLED
    async with uow_factory() as uow:
        partner = await uow.partners.get(ravi.id)
        history = await uow.orders.history(order_id)
        sent = (await uow.session.execute(select(OutboxRow))).scalars().all()
    assert partner is not None and partner.active_order_id is None
    assert [e.to_status for e in history][-1] == OrderStatus.CANCELLED and len(history) == 3
    assert str(history[-1].actor) == f"customer:{CUSTOMER}"
    assert sorted((m.chat_id, m.kind) for m in sent) == sorted([
        (CUSTOMER, Kind.ORDER_STATUS),  # the tracking message; they see the cancel on screen
        (ravi.id, Kind.ORDER_CANCELLED), (catalog.restaurant.manager_chat_id, Kind.ORDER_CANCELLED),
    ])


async def test_a_restaurant_that_never_had_the_ticket_is_not_told_of_the_cancel(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog,
    clock: FixedClock,
) -> None:
    order_id = await place_one(uow_factory, catalog, clock)  # CREATED: not yet confirmed

    await customer_orders(uow_factory, session_factory, clock).cancel(CUSTOMER, order_id)

    async with uow_factory() as uow:
        sent = (await uow.session.execute(select(OutboxRow))).scalars().all()
    assert [(m.chat_id, m.kind) for m in sent] == [(CUSTOMER, Kind.ORDER_STATUS)]


async def test_cancelling_is_refused_once_the_kitchen_started(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog,
    clock: FixedClock,
) -> None:
    order_id = await place_one(uow_factory, catalog, clock)
    async with uow_factory() as uow:
        await move_order(uow.session, order_id, OrderStatus.CONFIRMED, OrderStatus.PREPARING,
                         at=T0)
        await uow.commit()

    with pytest.raises(TooLateToCancel):
        await customer_orders(uow_factory, session_factory, clock).cancel(CUSTOMER, order_id)
    async with uow_factory() as uow:
        stored = await uow.orders.get(order_id)
    assert stored is not None and stored.status == OrderStatus.PREPARING


async def test_another_customers_order_cannot_be_cancelled(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog,
    clock: FixedClock,
) -> None:
    order_id = await place_one(uow_factory, catalog, clock)

    with pytest.raises(NotFound):
        await customer_orders(uow_factory, session_factory, clock).cancel(UserId(4242), order_id)
    async with uow_factory() as uow:
        stored = await uow.orders.get(order_id)
    assert stored is not None and stored.status == OrderStatus.CREATED


async def test_a_rating_is_kept_once_and_within_one_to_five_stars(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    order_id = await place_one(uow_factory, catalog, clock)
    for stars in (0, 6):
        async with uow_factory() as uow:
            with pytest.raises(IntegrityError):
                await uow.ratings.add(order_id, stars, T0)
    async with uow_factory() as uow:
        await uow.ratings.add(order_id, 4, T0)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(IntegrityError):
            await uow.ratings.add(order_id, 5, T0)
    async with uow_factory() as uow:
        assert await uow.ratings.get(order_id) == 4
