"""Delivery slots: when a customer may ask for an order to arrive, later today or tomorrow.

A slot is a time on the half-hour grid of the restaurant's local clock (SLOT_MINUTES). The
queue starts a scheduled order at the slot less the restaurant's preparation and ride
(`starts_at`); a slot is offered only when the restaurant takes orders from then until the
food is ready (its switch, its hours, its closed days), no sooner than an order placed now
could arrive, and no later than the end of tomorrow, local time. The same check runs when
the slot is chosen, when the order is placed and when the queue starts it, so an order is
never started for a time the restaurant is closed, whatever changed in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from domain.hours import local
from domain.restaurants import Restaurant

SLOT_MINUTES = 30
DAYS = 2  # today and tomorrow
_STEP = timedelta(minutes=SLOT_MINUTES)
_INSTANT = timedelta(seconds=1)


def lead(restaurant: Restaurant) -> timedelta:
    """How long before its delivery an order must start: preparation, then the ride."""
    return timedelta(minutes=restaurant.prep_minutes + restaurant.travel_minutes)


def starts_at(restaurant: Restaurant, slot: datetime) -> datetime:
    """When the queue starts an order to arrive at `slot`."""
    return slot - lead(restaurant)


def day_of(restaurant: Restaurant, slot: datetime, now: datetime) -> int:
    """0 for a slot today, 1 for tomorrow (the restaurant's local days)."""
    return (local(slot, restaurant.time_zone).date()
            - local(now, restaurant.time_zone).date()).days


def fits(restaurant: Restaurant, slot: datetime, now: datetime) -> bool:
    """Whether `slot` can be chosen at `now`: on the grid, not too soon, by the end of
    tomorrow, and the restaurant takes orders from its start until the food is ready."""
    here = local(slot, restaurant.time_zone)
    if here.minute % SLOT_MINUTES or here.second or here.microsecond:
        return False
    if slot < now + lead(restaurant) or not 0 <= day_of(restaurant, slot, now) < DAYS:
        return False
    return kitchen_open_for(restaurant, slot)


def kitchen_open_for(restaurant: Restaurant, slot: datetime) -> bool:
    """Whether the restaurant takes orders from a slot's start until the food is ready."""
    start = starts_at(restaurant, slot)
    ready = slot - timedelta(minutes=restaurant.travel_minutes)
    return restaurant.open_at(start) and restaurant.open_at(max(start, ready - _INSTANT))


def slots(restaurant: Restaurant, now: datetime) -> Iterator[datetime]:
    """Every slot that fits at `now`, earliest first."""
    earliest = local(now + lead(restaurant), restaurant.time_zone)
    floor = earliest.replace(minute=earliest.minute - earliest.minute % SLOT_MINUTES, second=0,
                             microsecond=0)
    slot = (floor if floor == earliest else floor + _STEP).astimezone(now.tzinfo)
    while day_of(restaurant, slot, now) < DAYS:
        if fits(restaurant, slot, now):
            yield slot
        slot += _STEP


def first_slot(restaurant: Restaurant, now: datetime) -> datetime | None:
    return next(slots(restaurant, now), None)
