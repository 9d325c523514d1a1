"""The estimated delivery time (issue 14): the kitchen and the wait for a rider side by side,
then the ride — the restaurant's usual one, or from the distance to a shared location."""

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.estimates import Riders, distance_km, estimate, ride_minutes, wait_minutes
from domain.ids import RestaurantId
from domain.restaurants import Restaurant
from domain.services.openings import RiderCount

DOMINOS = Restaurant(RestaurantId(1), "Dominos", "MG Road", prep_minutes=15, travel_minutes=25,
                     latitude=12.9756, longitude=77.6067)  # MG Road, Bengaluru
KORAMANGALA = (12.9352, 77.6245)  # about 4.9 km south
ONE_FREE = Riders(free=1)


def test_with_a_free_rider_it_is_the_kitchen_then_the_usual_ride() -> None:
    eta = estimate(replace(DOMINOS, latitude=None, longitude=None), ONE_FREE)
    assert (eta.prep_minutes, eta.wait_minutes, eta.ride_minutes, eta.km) == (15, 0, 25, None)
    placed = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert eta.arrives(placed) == datetime(2026, 11, 30, 12, 40, tzinfo=UTC)


def test_a_shared_location_gives_the_ride_from_the_distance() -> None:
    km = distance_km(*KORAMANGALA, DOMINOS.latitude or 0, DOMINOS.longitude or 0)
    assert 4.6 < km < 5.0
    minutes, from_km = ride_minutes(DOMINOS, *KORAMANGALA)
    assert from_km == pytest.approx(km)
    assert minutes == math.ceil(km * 1.3 / 18 * 60) + 4  # the roads, and the handover
    assert ride_minutes(DOMINOS, None, None) == (25, None)  # no location shared: usual ride
    assert ride_minutes(DOMINOS, 12.9757, 77.6067)[0] == 5  # next door: about the handover
    assert ride_minutes(DOMINOS, 28.61, 77.21)[0] == 240  # Delhi: no more than 4 hours


def test_busy_riders_make_the_order_wait_a_ride_per_round() -> None:
    assert wait_minutes(Riders(free=2, waiting=1), 25) == 0  # one free rider left for it
    assert wait_minutes(Riders(free=1, busy=3, waiting=1), 25) == 25  # the next rider back
    assert wait_minutes(Riders(free=0, busy=2, waiting=3), 25) == 50  # four ahead of two
    assert wait_minutes(Riders(), 25) == 25  # nobody online: at least a ride
    busy = estimate(DOMINOS, Riders(free=0, busy=2, waiting=3))
    assert busy.minutes == 50 + busy.ride_minutes  # the wait outlasts the kitchen
    assert estimate(DOMINOS, Riders(busy=1)).minutes == 25 + 25


def test_a_restaurants_location_is_checked() -> None:
    for bad in ({"latitude": 91.0}, {"longitude": 12.0, "latitude": None},
                {"longitude": -181.0}):
        with pytest.raises(InvalidInput):
            replace(DOMINOS, **bad)


class _Partners:
    """What `RiderCount` asks of a unit of work: the riders now, counted each time."""

    def __init__(self) -> None:
        self.now, self.counts = Riders(free=2, busy=1, waiting=0), 0

    async def riders(self) -> Riders:
        self.counts += 1
        return self.now


class _Uow:
    def __init__(self) -> None:
        self.partners = _Partners()


def _any(uow: _Uow) -> Any:
    return uow  # stands in for the whole UnitOfWork


class _Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 30, 12, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


async def test_the_riders_are_counted_once_a_second_on_the_timer_whatever_the_clock() -> None:
    clock, uow, ticks = _Clock(), _any(_Uow()), [100.0]
    counted = RiderCount(clock, timer=lambda: ticks[0])
    assert await counted.now(uow) == Riders(free=2, busy=1)
    uow.partners.now = Riders(free=0, busy=3)
    counted.placed(2)  # placed here meanwhile: they wait for a rider too
    clock.at += timedelta(hours=1)  # a clock that runs fast (the benchmarks') or jumps
    ticks[0] += 0.9
    assert await counted.now(uow) == Riders(free=2, busy=1, waiting=2)
    ticks[0] += 0.1
    assert await counted.now(uow) == Riders(free=0, busy=3)
    assert uow.partners.counts == 2


async def test_without_a_timer_the_count_ages_on_the_clock_and_a_step_back_counts_again(
) -> None:
    clock, uow = _Clock(), _any(_Uow())
    counted = RiderCount(clock)
    await counted.now(uow)
    clock.at += timedelta(milliseconds=900)
    await counted.now(uow)
    assert uow.partners.counts == 1
    clock.at -= timedelta(hours=1)  # stepped back: not an hour-old count kept for an hour
    await counted.now(uow)
    assert uow.partners.counts == 2
    clock.at += timedelta(seconds=1)
    await counted.now(uow)
    assert uow.partners.counts == 3
