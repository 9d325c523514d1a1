"""Restaurants and their menus."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.bill import Bill
from domain.errors import BelowMinimum, InvalidInput
from domain.hours import Opening, WeeklyHours, local
from domain.ids import MenuItemId, RestaurantId
from domain.options import OptionGroup, Picked, check_groups, choose, next_option_id
from domain.validation import check_length

MAX_NAME = 64
MAX_ADDRESS = 200
MAX_DESCRIPTION = 300
MAX_ANSWER_S = 3600  # the longest a kitchen may be given to answer a ticket


class Unanswered(StrEnum):
    """What happens to an order whose kitchen did not answer its ticket in time."""

    CANCEL = "cancel"  # cancelled, the customer told (and refunded when paid)
    ACCEPT = "accept"  # accepted for the kitchen: prepared in its usual time


def check_time_zone(name: str) -> str:
    """An IANA time zone name such as Asia/Kolkata, or InvalidInput."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("unknown time zone '{name}'; use a name such as Asia/Kolkata or "
                           "Europe/London", name=name[:40]) from None
    return name


@dataclass
class Restaurant:
    id: RestaurantId
    name: str
    address: str
    is_open: bool = True
    prep_minutes: int = 20
    manager_chat_id: int | None = None
    # the restaurant's terms, in minor units of the service's currency
    delivery_fee: int = 0
    free_delivery_from: int | None = None  # dishes worth this much or more deliver free
    min_order: int = 0  # the dishes must come to at least this; 0: no minimum
    # a linked kitchen answers each ticket within this; then the order is `unanswered`
    answer_within_s: int = 300
    unanswered: Unanswered = Unanswered.CANCEL
    time_zone: str = "UTC"  # IANA name: the restaurant's local time, as its screens show it
    travel_minutes: int = 20  # a delivery's usual ride from here, for the estimated time
    hours: WeeklyHours | None = None  # None: open whenever `is_open`
    closed_on: frozenset[date] = frozenset()  # local days it is closed all day
    latitude: float | None = None  # where riders pick up: a ride to a customer's shared
    longitude: float | None = None  # location is estimated from the distance (domain.estimates)

    def __post_init__(self) -> None:
        self.name = check_length("name", self.name, MAX_NAME)
        self.address = check_length("address", self.address, MAX_ADDRESS)
        if not 0 <= self.prep_minutes <= 240:
            raise InvalidInput("preparation time must be between 0 and 240 minutes")
        if self.delivery_fee < 0 or self.min_order < 0:
            raise InvalidInput("a delivery fee or minimum order cannot be negative")
        if self.free_delivery_from is not None and self.free_delivery_from <= 0:
            raise InvalidInput("free delivery must start above zero")
        check_time_zone(self.time_zone)
        if not 0 <= self.travel_minutes <= 240:
            raise InvalidInput("travel time must be between 0 and 240 minutes")
        if (self.latitude is None) != (self.longitude is None):
            raise InvalidInput("a location needs both latitude and longitude")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise InvalidInput("latitude must be between -90 and 90")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise InvalidInput("longitude must be between -180 and 180")
        if not 0 < self.answer_within_s <= MAX_ANSWER_S:
            raise InvalidInput("a kitchen answers within 1 s to {minutes} minutes",
                               minutes=MAX_ANSWER_S // 60)

    def opening(self, now: datetime) -> Opening:
        """Whether it takes orders at `now`: switched on, not a closed day, within its hours;
        and when that changes next."""
        if not self.is_open:
            return Opening(False)
        here = local(now, self.time_zone)
        hours = self.hours
        if here.date() in self.closed_on or (hours is not None and not hours.open_at(here)):
            after = here if here.date() not in self.closed_on else here.replace(
                hour=23, minute=59, second=59)
            opens = (hours.next_opening(after, self.closed_on) if hours
                     else self._next_open_day(here))
            return Opening(False, opens_at=opens, asked_at=here)
        return Opening(True, closes_at=hours.closing_after(here) if hours else None,
                       asked_at=here)

    def _next_open_day(self, here: datetime) -> datetime | None:
        """Without hours: the next local midnight that is not a closed day (within a year)."""
        day = here.replace(hour=0, minute=0, second=0, microsecond=0)
        for _ in range(366):
            day += timedelta(days=1)
            if day.date() not in self.closed_on:
                return day
        return None

    def reopens_after(self, now: datetime) -> datetime:
        """The restaurant's next opening after `now` (UTC): the next period of its hours on a
        day it is not closed; without hours, the next local day it is not closed."""
        here = local(now, self.time_zone)
        hours = self.hours
        opens = (hours.next_opening(here, self.closed_on) if hours is not None
                 else self._next_open_day(here))
        return (opens or here + timedelta(days=1)).astimezone(now.tzinfo)

    def open_at(self, now: datetime) -> bool:
        return self.opening(now).open

    def delivery_fee_for(self, subtotal: int) -> int:
        """The delivery fee for dishes worth `subtotal`: none from the free-delivery amount."""
        free_from = self.free_delivery_from
        return 0 if free_from is not None and subtotal >= free_from else self.delivery_fee

    def short_of_minimum(self, subtotal: int) -> int:
        """How much more the dishes must come to before the order can be placed; 0: enough."""
        return max(self.min_order - subtotal, 0)

    def check_minimum(self, subtotal: int, currency: str) -> None:
        """Refuses dishes below the minimum order with BelowMinimum, saying by how much."""
        if short_by := self.short_of_minimum(subtotal):
            raise BelowMinimum(short_by, self.min_order, currency)

    def bill_for(self, subtotal: int, currency: str, discount: int = 0) -> Bill:
        """What dishes worth `subtotal` cost from this restaurant, delivered, less `discount`
        (free delivery counts the dishes before it)."""
        return Bill(currency, subtotal, self.delivery_fee_for(subtotal), discount)


@dataclass
class MenuItem:
    id: MenuItemId
    restaurant_id: RestaurantId
    name: str
    price: int  # minor units
    available: bool = True
    description: str = ""
    category: str = "Menu"
    photo_file_id: str | None = None
    stock: int | None = None  # portions left, counted down as orders are placed; None: no count
    back_at: datetime | None = None  # sold out for the day: no longer counted from then
    groups: tuple[OptionGroup, ...] = ()  # its options (domain.options); none: added at once
    last_option_id: int = 0  # the highest option id it has had: new ones go above, so an
    # option dropped never lends its id (and the carts holding it their lines) to another

    def __post_init__(self) -> None:
        self.groups = check_groups(self.groups)
        self.last_option_id = max(self.last_option_id, next_option_id(self.groups) - 1)
        if self.stock is not None and self.stock < 0:
            raise InvalidInput("stock cannot be negative")
        self.name = check_length("name", self.name, MAX_NAME)
        self.category = check_length("category", self.category, MAX_NAME)
        self.description = check_length(
            "description", self.description, MAX_DESCRIPTION, required=False
        )
        if self.price <= 0:
            raise InvalidInput("price must be above zero")

    @property
    def orderable(self) -> bool:
        """On the menu and not sold out: it can go into a cart and an order now."""
        return self.available and self.stock != 0

    def pick(self, option_ids: Iterable[int]) -> tuple[Picked, ...]:
        """The options `option_ids` pick for this dish, checked (domain.options.choose)."""
        return choose(self.name, self.groups, option_ids)

    def price_with(self, picked: Iterable[Picked]) -> int:
        """One portion's price with the options picked."""
        return self.price + sum(option.price for option in picked)

    def allows(self, quantity: int) -> bool:
        """Whether `quantity` portions can be ordered now (all that is left, at most)."""
        return self.orderable and (self.stock is None or quantity <= self.stock)
