"""Choosing when an order arrives: as soon as possible, or a delivery slot later today or
tomorrow (domain.slots), from the checkout summary. Each choice draws a new summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.checkout import Checkout
from domain.errors import (
    DomainError,
    EmptyCart,
    RestaurantClosed,
    SlotUnavailable,
    StaleSummary,
)
from domain.ids import UserId
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.restaurants import Restaurant
from domain.services.summaries import Summaries
from domain.slots import day_of, fits, lead, slots
from domain.views import Summary

SOON = 0  # the minute number that means "as soon as possible"


class NoSlots(DomainError):
    """The restaurant takes no order for a later time today or tomorrow."""

    code = "no_slots"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} has no delivery times today or tomorrow")
        self.name = name


def minute_of(slot: datetime) -> int:
    """A slot as the whole minutes since 1970 (UTC) its button carries."""
    return int(slot.timestamp()) // 60


def slot_at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


@dataclass(frozen=True)
class SlotPage:
    """One day's delivery slots for a summary: the times to choose from, in the restaurant's
    time zone; `day` 0 is today."""

    token: int  # the summary's: a choice on an older one is stale
    day: int
    slots: tuple[datetime, ...]
    days: tuple[int, ...]  # the days that have slots
    restaurant: Restaurant
    chosen: datetime | None  # the checkout's slot; None: as soon as possible
    open_now: bool

    @property
    def lead_minutes(self) -> int:
        return int(lead(self.restaurant).total_seconds()) // 60


class Scheduling:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, summaries: Summaries
                 ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._summaries = summaries

    async def slot_page(self, customer_id: UserId, token: int, day: int) -> SlotPage:
        """The slots of `day` (or the first day that has any) for the summary `token`."""
        async with self._uow() as uow:
            checkout, restaurant = await _summary(uow, customer_id, token)
        now = self._clock.now()
        found = list(slots(restaurant, now))
        days = tuple(sorted({day_of(restaurant, slot, now) for slot in found}))
        if not days:
            raise NoSlots(restaurant.name)
        shown = day if day in days else days[0]
        return SlotPage(token, shown,
                        tuple(slot for slot in found if day_of(restaurant, slot, now) == shown),
                        days, restaurant, checkout.deliver_at, restaurant.open_at(now))

    async def schedule(self, customer_id: UserId, token: int, minute: int) -> Summary:
        """Delivers at the slot `minute` (SOON: as soon as possible, while open); a new summary.
        Refuses a slot that does not fit now (SlotUnavailable), "soon" from a closed
        restaurant (RestaurantClosed) and an out-of-date summary (StaleSummary)."""
        async with self._uow() as uow:
            checkout, restaurant = await _summary(uow, customer_id, token)
            now = self._clock.now()
            if minute == SOON:
                opening = restaurant.opening(now)
                if not opening.open:
                    raise RestaurantClosed(restaurant.name, opening.opens_at)
                checkout.deliver_at = None
            else:
                slot = slot_at(minute)
                if not fits(restaurant, slot, now):
                    raise SlotUnavailable(slot)
                checkout.deliver_at = slot
            return await self._summaries.summarize(uow, checkout)


async def _summary(uow: UnitOfWork, customer_id: UserId, token: int
                   ) -> tuple[Checkout, Restaurant]:
    """The checkout whose summary is `token`, and its cart's restaurant."""
    checkout = await uow.checkouts.get(customer_id)
    if checkout is None or checkout.token != token:
        raise StaleSummary()
    cart = await uow.carts.get(customer_id)
    restaurant = (await uow.restaurants.get(cart.restaurant_id)
                  if cart.restaurant_id is not None else None)
    if restaurant is None:
        raise EmptyCart()
    return checkout, restaurant

