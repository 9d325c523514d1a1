"""Scheduled orders on the real database (issue 14): a delivery slot chosen at the summary is
placed with the order, whose queue task waits until the slot less preparation and ride; a
closed restaurant's checkout is for its first slot; a slot the hours no longer allow is never
placed, nor started."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.customers import Customer
from domain.errors import RestaurantClosed, SlotUnavailable, StaleSummary
from domain.hours import parse_hours
from domain.ids import UserId
from domain.options import Option, OptionGroup
from domain.orders import OrderStatus
from domain.pipeline.actions import Presses
from domain.pipeline.worker import PipelineWorker
from domain.services.admin.orders import OrderAdmin
from domain.services.checkout import CheckoutService
from domain.services.orders import CustomerOrders
from domain.services.scheduling import SOON, NoSlots, Scheduling, minute_of
from domain.services.shopping import ShoppingService
from domain.views import Summary, TrackingMessage
from storage.admin_repositories import SqlAdminUnitOfWork
from storage.pipeline.store import SqlPipelineStore
from storage.rows import OrderRow
from storage.sql import TASKS
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, T0, Catalog, FixedClock, SeqTokens
from tests.integration.pipeline_kit import CONFIG, POLICY
from tests.integration.test_hours import LUNCH, with_hours
from tests.integration.test_place_order import count

Uows = Callable[[], SqlUnitOfWork]
Sessions = async_sessionmaker[AsyncSession]
# T0 is Monday 6 January 2025, 12:00 in London; Dominos prepares in 20 min, rides 20
TRACKING = TrackingMessage(CUSTOMER, 70)
ADMIN = UserId(9001)


def at(hhmm: str, day: int = 0) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return T0.replace(hour=hours, minute=minutes) + timedelta(days=day)


async def summary_for(uows: Uows, catalog: Catalog, clock: FixedClock,
                      tokens: SeqTokens | None = None
                      ) -> tuple[CheckoutService, Scheduling, Summary]:
    """A pizza in the cart and the summary for 12 Residency Road."""
    shopping = ShoppingService(uows, "INR", clock=clock)
    await shopping.add(Customer(CUSTOMER, "Asha"), catalog.pizza.id)
    checkout = CheckoutService(uows, clock, "INR", tokens or SeqTokens())
    await checkout.start(CUSTOMER)
    shown = await checkout.receive_text(CUSTOMER, "12 Residency Road")
    assert shown is not None
    return checkout, Scheduling(uows, clock, checkout.summaries), shown


def queue_worker(sessions: Sessions, clock: FixedClock) -> PipelineWorker:
    return PipelineWorker(SqlPipelineStore(sessions), clock, POLICY, CONFIG, "w1",
                          rng=lambda: 0.5)


async def confirm_runs_at(sessions: Sessions) -> list[datetime]:
    async with sessions() as session:
        return list((await session.execute(select(TASKS.c.run_at))).scalars())


async def test_an_order_for_a_slot_waits_in_the_queue_until_the_kitchen_must_start(
    uow_factory: Uows, session_factory: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=LUNCH)
    checkout, scheduling, shown = await summary_for(uow_factory, catalog, clock)
    page = await scheduling.slot_page(CUSTOMER, shown.token, 0)
    assert page.slots[0] == at("13:00") and page.days == (0, 1)  # lunch today and tomorrow
    assert page.slots[-1] == at("14:00") and page.lead_minutes == 40

    chosen = await scheduling.schedule(CUSTOMER, shown.token, minute_of(at("13:30")))
    placed = await checkout.place(CUSTOMER, chosen.token, TRACKING)

    order = placed.view.order
    assert (order.scheduled_for, order.expected_at) == (at("13:30"), at("13:30"))
    assert placed.view.starts_at == at("12:50")
    assert await confirm_runs_at(session_factory) == [at("12:50")]
    worker = queue_worker(session_factory, clock)
    await worker.run_once(at("12:49"))  # not yet
    async with uow_factory() as uow:
        assert (await uow.orders.get(order.id)).status == OrderStatus.CREATED  # type: ignore[union-attr]
    await worker.run_once(at("12:50"))
    async with uow_factory() as uow:
        assert (await uow.orders.get(order.id)).status == OrderStatus.CONFIRMED  # type: ignore[union-attr]


async def test_a_closed_restaurants_checkout_is_for_its_first_slot(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=LUNCH)
    clock.advance(hours=3)  # 15:00: lunch is over
    checkout, scheduling, shown = await summary_for(uow_factory, catalog, clock)

    assert (shown.checkout.deliver_at, shown.open_now) == (at("12:00", day=1), False)
    with pytest.raises(RestaurantClosed):  # "as soon as possible" is not for a closed kitchen
        await scheduling.schedule(CUSTOMER, shown.token, SOON)
    placed = await checkout.place(CUSTOMER, shown.token, TRACKING)
    assert placed.view.order.scheduled_for == at("12:00", day=1)


async def test_a_slot_the_hours_no_longer_allow_is_not_placed(
    uow_factory: Uows, session_factory: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=LUNCH)
    checkout, scheduling, shown = await summary_for(uow_factory, catalog, clock)
    chosen = await scheduling.schedule(CUSTOMER, shown.token, minute_of(at("12:30", day=1)))
    await with_hours(uow_factory, catalog, hours=LUNCH, closed_on=frozenset({date(2025, 1, 7)}))

    again = await checkout.place(CUSTOMER, chosen.token, TRACKING)

    assert isinstance(again, Summary) and again.slot_gone == at("12:30", day=1)
    assert again.checkout.deliver_at is None and again.open_now  # back to "soon": it is open
    assert await count(uow_factory, OrderRow) == 0


async def test_an_order_whose_slot_closed_after_placing_is_cancelled_when_it_would_start(
    uow_factory: Uows, session_factory: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=LUNCH)
    checkout, scheduling, shown = await summary_for(uow_factory, catalog, clock)
    chosen = await scheduling.schedule(CUSTOMER, shown.token, minute_of(at("12:30", day=1)))
    placed = await checkout.place(CUSTOMER, chosen.token, TRACKING)
    await with_hours(uow_factory, catalog, hours=parse_hours("mon-fri 18:00-22:00"))

    worker = queue_worker(session_factory, clock)
    await worker.run_once(at("11:50", day=1))

    async with uow_factory() as uow:
        order = await uow.orders.get(placed.view.order.id)
        history = await uow.orders.history(placed.view.order.id)
    assert order is not None and order.status == OrderStatus.CANCELLED
    assert history[-1].reason == "Dominos is closed at the time this order was scheduled for"


async def test_a_slot_choice_needs_the_current_summary_and_a_slot_that_fits(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=LUNCH)
    _, scheduling, shown = await summary_for(uow_factory, catalog, clock)
    for minute in (minute_of(at("12:15")), minute_of(at("15:00")), minute_of(at("12:30", 2))):
        with pytest.raises(SlotUnavailable):  # off the grid, after lunch, past tomorrow
            await scheduling.schedule(CUSTOMER, shown.token, minute)
    chosen = await scheduling.schedule(CUSTOMER, shown.token, minute_of(at("13:00")))
    with pytest.raises(StaleSummary):
        await scheduling.schedule(CUSTOMER, shown.token, SOON)
    back = await scheduling.schedule(CUSTOMER, chosen.token, SOON)
    assert back.checkout.deliver_at is None and back.open_now


async def test_changed_hours_cancel_only_the_orders_for_a_slot_now_closed(
    uow_factory: Uows, session_factory: Sessions, admin_uows: Callable[[], SqlAdminUnitOfWork],
    catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=parse_hours("mon-fri 11:00-14:00, 18:00-22:00"))
    placed, tokens = [], SeqTokens()
    for hhmm in ("13:30", "19:30"):  # one at lunch, one at dinner, tomorrow
        checkout, scheduling, shown = await summary_for(uow_factory, catalog, clock, tokens)
        chosen = await scheduling.schedule(CUSTOMER, shown.token, minute_of(at(hhmm, day=1)))
        placed.append((await checkout.place(CUSTOMER, chosen.token, TRACKING)).view.order.id)
    await with_hours(uow_factory, catalog, hours=parse_hours("mon-fri 18:00-22:00"))
    admin = OrderAdmin(admin_uows, clock, Presses(SqlPipelineStore(session_factory), clock))

    cancelled = await admin.cancel_closed_slots(ADMIN, catalog.restaurant.id)
    again = await admin.cancel_closed_slots(ADMIN, catalog.restaurant.id)

    assert (cancelled, again) == ((placed[0],), ())
    async with uow_factory() as uow:
        lunch, dinner = [await uow.orders.get(order_id) for order_id in placed]
    assert lunch is not None and lunch.status == OrderStatus.CANCELLED
    assert dinner is not None and dinner.status == OrderStatus.CREATED


async def test_a_reorder_after_closing_time_fills_the_cart_for_a_slot_with_its_options(
    uow_factory: Uows, session_factory: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    size = OptionGroup("Size", (Option(1, "Regular"), Option(2, "Large", 10000)))
    async with uow_factory() as uow:
        await uow.menu.save(replace(catalog.pizza, groups=(size,)))
        await uow.commit()
    await with_hours(uow_factory, catalog, hours=LUNCH)
    shopping = ShoppingService(uow_factory, "INR", clock=clock)
    asha = Customer(CUSTOMER, "Asha")
    await shopping.add(asha, catalog.pizza.id, options=[2])
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())
    await checkout.start(CUSTOMER)
    shown = await checkout.receive_text(CUSTOMER, "12 Residency Road")
    assert shown is not None
    placed = await checkout.place(CUSTOMER, shown.token, TRACKING)
    clock.advance(hours=3)  # 15:00: closed until tomorrow's lunch

    orders = CustomerOrders(uow_factory, clock, "INR", Presses(SqlPipelineStore(session_factory),
                                                              clock))
    again = await orders.reorder(asha, placed.view.order.id)

    assert again.skipped == ()
    assert [(line.name, line.choices, line.unit_price.amount) for line in again.cart.lines] == [
        ("Pizza", "Large", 35000)]
    await checkout.start(CUSTOMER)
    summary = await checkout.receive_text(CUSTOMER, "12 Residency Road")
    assert summary is not None and summary.checkout.deliver_at == at("12:00", day=1)


async def test_a_restaurant_closing_soon_with_no_later_time_says_so(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=parse_hours("mon 11:00-13:00"))
    clock.advance(minutes=30)  # Monday 12:30: open, but too late for a slot; no Tuesday hours
    _, scheduling, shown = await summary_for(uow_factory, catalog, clock)

    with pytest.raises(NoSlots, match="no delivery times"):
        await scheduling.slot_page(CUSTOMER, shown.token, 0)
    assert shown.open_now and shown.checkout.deliver_at is None  # it takes orders for now
