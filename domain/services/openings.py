"""Whether a restaurant takes an order: now (open), for a delivery slot, or either; and when
an order placed now should arrive (domain.estimates), from the riders free at the moment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from domain.errors import NotFound, RestaurantClosed, SlotUnavailable
from domain.estimates import Estimate, Riders, estimate
from domain.ids import RestaurantId
from domain.ports import Clock, UnitOfWork
from domain.restaurants import Restaurant
from domain.slots import first_slot, fits


async def _restaurant(uow: UnitOfWork, restaurant_id: RestaurantId) -> Restaurant:
    restaurant = await uow.restaurants.get(restaurant_id)
    if restaurant is None:
        raise NotFound("restaurant", restaurant_id)
    return restaurant


async def open_restaurant(
    uow: UnitOfWork, restaurant_id: RestaurantId, now: datetime
) -> Restaurant:
    """The restaurant, if it takes orders at `now` (switched on, within its hours)."""
    restaurant = await _restaurant(uow, restaurant_id)
    opening = restaurant.opening(now)
    if not opening.open:
        raise RestaurantClosed(restaurant.name, opening.opens_at)
    return restaurant


async def restaurant_for_slot(
    uow: UnitOfWork, restaurant_id: RestaurantId, slot: datetime, now: datetime
) -> Restaurant:
    """The restaurant, if an order placed at `now` may be delivered at `slot` (domain.slots);
    SlotUnavailable otherwise."""
    restaurant = await _restaurant(uow, restaurant_id)
    if not fits(restaurant, slot, now):
        raise SlotUnavailable(slot)
    return restaurant


async def taking_orders(
    uow: UnitOfWork, restaurant_id: RestaurantId, now: datetime
) -> Restaurant:
    """The restaurant, if it takes orders for now or for a slot later today or tomorrow."""
    restaurant = await _restaurant(uow, restaurant_id)
    opening = restaurant.opening(now)
    if not opening.open and first_slot(restaurant, now) is None:
        raise RestaurantClosed(restaurant.name, opening.opens_at)
    return restaurant


class RiderCount:
    """The riders now (`PartnerRepository.riders`), counted at most once every `fresh` per
    process: an estimate wants them about right, and a busy checkout would count them for
    every summary and every batch of placings. Orders placed here in between are added to
    those waiting (`placed`), so the estimate still lengthens as they come.

    The count's age is read off `timer` when given, seconds on a clock that never goes back
    (the bot passes `time.monotonic`, as the catalogue cache's entries age), else off
    `clock`; a count whose age comes out negative (that clock stepped back) is counted
    again. An age is not a time of day: the benchmarks' clock runs 1,200 times fast, and
    aged on it the count would be taken again for nearly every batch of placings, where the
    bot takes it once a second.
    """

    def __init__(self, clock: Clock, fresh: timedelta = timedelta(seconds=1),
                 timer: Callable[[], float] | None = None) -> None:
        self._age = timer or (lambda: clock.now().timestamp())
        self._fresh_s = fresh.total_seconds()
        self._seen: tuple[float, Riders] | None = None

    async def now(self, uow: UnitOfWork) -> Riders:
        at = self._age()
        if self._seen is None or not 0 <= at - self._seen[0] < self._fresh_s:
            self._seen = (at, await uow.partners.riders())
        return self._seen[1]

    def placed(self, orders: int = 1) -> None:
        if self._seen is not None:
            at, riders = self._seen
            self._seen = (at, replace(riders, waiting=riders.waiting + orders))


async def estimated(uow: UnitOfWork, restaurant: Restaurant, riders: RiderCount,
                    latitude: float | None = None, longitude: float | None = None) -> Estimate:
    """How long an order from `restaurant` to that spot (when shared) takes from now."""
    return estimate(restaurant, await riders.now(uow), latitude, longitude)
