"""Orders, their one transition table (DESIGN.md §2) and their event history.

An order is placed here (`Order.place`); every later move goes through the one function
that moves an order, `domain.pipeline.model.Effects.move`, which checks this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

from domain.bill import Bill
from domain.errors import InvalidInput
from domain.ids import OrderId, RestaurantId, UserId
from domain.money import Money
from domain.options import Picked, label
from domain.validation import check_length

MAX_ADDRESS = 300
MAX_NOTE = 300
MAX_PHONE = 20


class OrderStatus(StrEnum):
    CREATED = "CREATED"
    CONFIRMED = "CONFIRMED"
    PREPARING = "PREPARING"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"

    @property
    def is_terminal(self) -> bool:
        return not _NEXT[self]


_S = OrderStatus
_EXITS: Final = frozenset({_S.CANCELLED, _S.FAILED})
_NEXT: Final[dict[OrderStatus, frozenset[OrderStatus]]] = {
    _S.CREATED: frozenset({_S.CONFIRMED}) | _EXITS,
    _S.CONFIRMED: frozenset({_S.PREPARING}) | _EXITS,
    _S.PREPARING: frozenset({_S.OUT_FOR_DELIVERY}) | _EXITS,
    _S.OUT_FOR_DELIVERY: frozenset({_S.DELIVERED}) | _EXITS,
    _S.DELIVERED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.FAILED: frozenset(),
}
CUSTOMER_CANCELLABLE: Final = frozenset({_S.CREATED, _S.CONFIRMED})
ASSIGNABLE: Final = frozenset({_S.CONFIRMED, _S.PREPARING})


def allowed_moves(status: OrderStatus) -> frozenset[OrderStatus]:
    """Where an order in `status` may go next."""
    return _NEXT[status]


class ActorKind(StrEnum):
    CUSTOMER = "customer"
    PARTNER = "partner"
    ADMIN = "admin"
    RESTAURANT = "restaurant"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: int | None = None

    def __str__(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Actor:
        kind, _, ident = text.partition(":")
        return cls(ActorKind(kind), int(ident) if ident else None)


SYSTEM: Final = Actor(ActorKind.SYSTEM)


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One recorded move; `from_status` is None for the placing itself."""

    order_id: OrderId
    from_status: OrderStatus | None
    to_status: OrderStatus
    at: datetime
    actor: Actor
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OrderItem:
    item_id: int
    name: str
    unit_price: int  # with the options'
    quantity: int
    options: tuple[Picked, ...] = ()  # as picked when the order was placed

    @property
    def choices(self) -> str:
        """The options picked, as every screen shows them ("Large, Olives"; "": none)."""
        return label(self.options)

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class DeliveryDetails:
    address: str
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", check_length("address", self.address, MAX_ADDRESS))
        object.__setattr__(self, "note", check_length("note", self.note, MAX_NOTE, required=False))
        if self.phone is not None:
            phone = self.phone.strip()
            digits = phone.removeprefix("+").replace(" ", "").replace("-", "")
            if not digits.isdigit() or not 6 <= len(digits) <= 15 or len(phone) > MAX_PHONE:
                raise InvalidInput("phone must be 6 to 15 digits")
            object.__setattr__(self, "phone", phone)
        has_lat, has_lon = self.latitude is not None, self.longitude is not None
        if has_lat != has_lon:
            raise InvalidInput("a location needs both latitude and longitude")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise InvalidInput("latitude out of range")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise InvalidInput("longitude out of range")


@dataclass
class Order:
    id: OrderId
    customer_id: UserId
    restaurant_id: RestaurantId
    items: tuple[OrderItem, ...]
    currency: str
    delivery: DeliveryDetails
    created_at: datetime
    status: OrderStatus = OrderStatus.CREATED
    partner_id: UserId | None = None
    updated_at: datetime | None = None
    idempotency_key: str | None = None
    delivery_fee: int = 0  # minor units, as the summary showed it; see `bill`
    discount: int = 0
    tip: int = 0
    promo_code: str | None = None  # the code that gave `discount`
    paid_online: bool = False  # paid in chat before placing; else cash on delivery
    expected_at: datetime | None = None  # the delivery time estimated when it was placed
    scheduled_for: datetime | None = None  # the delivery slot it was placed for; None: now
    ride_minutes: int | None = None  # the ride estimated at placing; None: the usual one
    new_events: list[OrderEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def bill(self) -> Bill:
        """What the order costs, part by part: its dishes at the prices placed, and the rest."""
        subtotal = sum(item.subtotal for item in self.items)
        return Bill(self.currency, subtotal, self.delivery_fee, self.discount, self.tip)

    @property
    def total(self) -> Money:
        return self.bill.total

    @classmethod
    def place(
        cls,
        *,
        customer_id: UserId,
        restaurant_id: RestaurantId,
        items: tuple[OrderItem, ...],
        currency: str,
        delivery: DeliveryDetails,
        at: datetime,
        idempotency_key: str | None = None,
        delivery_fee: int = 0,
        discount: int = 0,
        promo_code: str | None = None,
        tip: int = 0,
        paid_online: bool = False,
        expected_at: datetime | None = None,
        scheduled_for: datetime | None = None,
        ride_minutes: int | None = None,
    ) -> Order:
        """A new CREATED order, not yet stored (id 0), whose first event is its placing."""
        if not items:
            raise InvalidInput("an order needs at least one item")
        order_id = OrderId(0)
        order = cls(
            order_id, customer_id, restaurant_id, items, currency, delivery, at,
            updated_at=at, idempotency_key=idempotency_key, delivery_fee=delivery_fee,
            discount=discount, promo_code=promo_code, tip=tip, paid_online=paid_online,
            expected_at=expected_at, scheduled_for=scheduled_for, ride_minutes=ride_minutes,
        )
        order.new_events.append(order.placing())
        return order

    def placing(self) -> OrderEvent:
        """Its first event: the customer placed it."""
        return OrderEvent(self.id, None, OrderStatus.CREATED, self.created_at,
                          Actor(ActorKind.CUSTOMER, self.customer_id))

    def bind_id(self, order_id: OrderId) -> None:
        """Takes the id storage gave the new order, in its pending events too."""
        self.id = order_id
        self.new_events = [replace(event, order_id=order_id) for event in self.new_events]
