"""Opening hours on the real database (issue 14): kept with the restaurant, and no order is
taken outside them — not into the cart, not at checkout, not at Place order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from domain.customers import Customer
from domain.errors import RestaurantClosed
from domain.hours import parse_hours
from domain.services.checkout import CheckoutService
from domain.services.shopping import ShoppingService
from domain.views import TrackingMessage
from storage.rows import OrderRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, Catalog, FixedClock, SeqTokens
from tests.integration.test_place_order import count

Uows = Callable[[], SqlUnitOfWork]
# the builders' clock starts on Monday 6 January 2025, 12:00 UTC: 12:00 in London
LUNCH = parse_hours("mon-fri 11:00-14:00")


async def with_hours(uows: Uows, catalog: Catalog, **changes: object) -> None:
    async with uows() as uow:
        await uow.restaurants.save(replace(catalog.restaurant, time_zone="Europe/London",
                                           **changes))  # type: ignore[arg-type]
        await uow.commit()


async def test_hours_and_closed_days_are_kept_with_the_restaurant(
    uow_factory: Uows, catalog: Catalog
) -> None:
    await with_hours(uow_factory, catalog, hours=LUNCH,
                     closed_on=frozenset({date(2025, 12, 25), date(2026, 1, 1)}))
    async with uow_factory() as uow:
        stored = await uow.restaurants.get(catalog.restaurant.id)
    assert stored is not None
    assert (stored.hours, stored.closed_on) == (LUNCH, {date(2025, 12, 25), date(2026, 1, 1)})


async def test_no_order_is_placed_once_the_hours_end_after_the_summary(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=LUNCH)
    shopping = ShoppingService(uow_factory, "INR", clock=clock)
    await shopping.add(Customer(CUSTOMER, "Asha"), catalog.pizza.id)
    checkout = CheckoutService(uow_factory, clock, "INR", SeqTokens())
    await checkout.start(CUSTOMER)
    shown = await checkout.receive_text(CUSTOMER, "12 Residency Road")
    assert shown is not None
    clock.advance(hours=2)  # 14:00 in London: lunch is over

    with pytest.raises(RestaurantClosed) as refused:
        await checkout.place(CUSTOMER, shown.token, TrackingMessage(CUSTOMER, 70))
    later = await shopping.add(Customer(CUSTOMER, "Asha"), catalog.cola.id)  # for tomorrow

    assert later.later is not None and f"{later.later:%a %H:%M}" == "Tue 12:00"
    assert refused.value.opens_at is not None
    assert f"{refused.value.opens_at:%a %H:%M}" == "Tue 11:00"
    assert await count(uow_factory, OrderRow) == 0
    listed = (await shopping.restaurants()).entries[0]
    assert (listed.opening.open, listed.opening.opens_in_days) == (False, 1)


async def test_nothing_goes_into_the_cart_when_there_is_no_slot_today_or_tomorrow(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    await with_hours(uow_factory, catalog, hours=LUNCH, closed_on=frozenset({date(2025, 1, 7)}))
    clock.advance(hours=2)  # Monday 14:00: lunch is over, and Tuesday is a closed day
    shopping = ShoppingService(uow_factory, "INR", clock=clock)

    with pytest.raises(RestaurantClosed):
        await shopping.add(Customer(CUSTOMER, "Asha"), catalog.cola.id)
    page = await shopping.menu(CUSTOMER, catalog.restaurant.id)
    assert (page.opening.open, page.later, page.takes_orders) == (False, None, False)
