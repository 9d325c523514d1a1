"""What the customer's screens show: read models the services return and the bot renders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from domain.bill import Bill
from domain.cart import Cart, LineKey, PricedCart
from domain.checkout import Checkout
from domain.errors import DomainError
from domain.estimates import Estimate
from domain.hours import Opening
from domain.ids import MenuItemId
from domain.money import Money
from domain.options import Picked, all_options, label
from domain.orders import CUSTOMER_CANCELLABLE, Order, OrderEvent, OrderStatus
from domain.promos import PromoProblem
from domain.restaurants import MenuItem, Restaurant

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list; `number` counts from 0 and is always in range."""

    entries: tuple[T, ...]
    number: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


def paginate(entries: Sequence[T], number: int, size: int) -> Page[T]:
    """The `number`th page of `size` entries; an out-of-range number gives the nearest page."""
    count = max(1, -(-len(entries) // size))
    number = min(max(number, 0), count - 1)
    return Page(tuple(entries[number * size : (number + 1) * size]), number, count)


@dataclass(frozen=True, slots=True)
class TrackingMessage:
    """The chat message that shows an order's live status."""

    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class CartLineView:
    item_id: MenuItemId
    name: str
    unit_price: Money  # with the options'
    quantity: int
    available: bool  # the dish, with these options, can be ordered now
    key: LineKey | None = None  # None: the plain dish
    choices: str = ""  # the options picked, as shown: "Large, Olives"

    @property
    def ref(self) -> int:
        return self.key.ref if self.key is not None else 0

    @property
    def subtotal(self) -> Money:
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True)
class CartView:
    """The cart with today's menu prices; unavailable lines are shown but not counted."""

    restaurant: Restaurant | None
    lines: tuple[CartLineView, ...]
    currency: str

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines if line.available)

    @property
    def total(self) -> Money:
        """The dishes that can be ordered now."""
        available = (line.subtotal for line in self.lines if line.available)
        return sum(available, Money.zero(self.currency))

    @property
    def bill(self) -> Bill | None:
        """What the cart would cost delivered, by the restaurant's terms today."""
        if self.restaurant is None:
            return None
        return self.restaurant.bill_for(self.total.amount, self.currency)

    @property
    def short_of_minimum(self) -> Money:
        """How much more the dishes must come to before checkout (zero: enough)."""
        short = self.restaurant.short_of_minimum(self.total.amount) if self.restaurant else 0
        return Money(short, self.currency)

    def quantity_of(self, item_id: MenuItemId) -> int:
        """Portions of a dish in the cart, all its lines together."""
        return sum(line.quantity for line in self.lines if line.item_id == item_id)


def cart_view(
    cart: Cart, menu: Mapping[MenuItemId, MenuItem], restaurant: Restaurant | None, currency: str
) -> CartView:
    lines = tuple(
        _line_view(key, item, quantity, currency)
        for key, quantity in cart.lines.items()
        if (item := menu.get(key.item_id)) is not None
    )
    return CartView(restaurant if lines else None, lines, currency)


def _line_view(key: LineKey, item: MenuItem, quantity: int, currency: str) -> CartLineView:
    """A cart line priced with its options; one the dish no longer offers as picked is shown
    with the options still known, unavailable."""
    try:
        picked = item.pick(key.options)
    except DomainError:
        known = {option.id: option for option in all_options(item.groups)}
        named = [Picked(i, known[i].name, known[i].price) for i in key.options if i in known]
        return CartLineView(item.id, item.name, Money(item.price_with(named), currency),
                            quantity, False, key, label(named))
    return CartLineView(item.id, item.name, Money(item.price_with(picked), currency), quantity,
                        item.orderable, key, label(picked))


ALWAYS_OPEN = Opening(True)


@dataclass(frozen=True, slots=True)
class Listed:
    """A restaurant on the list: whether it takes orders now, and what changes next."""

    restaurant: Restaurant
    opening: Opening


@dataclass(frozen=True)
class MenuPage:
    restaurant: Restaurant
    items: Page[MenuItem]
    cart: CartView
    opening: Opening = ALWAYS_OPEN  # the restaurant's, when the page was drawn
    later: datetime | None = None  # closed now: the first delivery slot it takes orders for

    @property
    def takes_orders(self) -> bool:
        """Whether its dishes can go into a cart: open now, or for a slot later."""
        return self.opening.open or self.later is not None


@dataclass(frozen=True, slots=True)
class PriceChange:
    name: str
    before: Money
    after: Money


@dataclass(frozen=True, slots=True)
class PromoNote:
    """A promo code on a summary: the discount it gives, or why it does not apply."""

    code: str
    discount: int
    problem: PromoProblem | None
    min_order: int = 0  # the code's own minimum, for BELOW_MINIMUM


@dataclass(frozen=True)
class Summary:
    """The checkout summary: what "Place order" will order, for how much, and where to.

    `changed` is set when a press found the cart different from the summary it was on:
    the customer must look again and confirm this new summary.
    """

    restaurant: Restaurant
    priced: PricedCart
    checkout: Checkout
    bill: Bill
    fee_before: int | None = None  # the delivery fee the last summary showed, if it changed
    promo: PromoNote | None = None
    expected_at: datetime | None = None  # the delivery time if placed now, or its slot
    estimate: Estimate | None = None  # how `expected_at` was reached, for an order for now
    slot_gone: datetime | None = None  # the slot chosen before, no longer available
    customer_zone: str | None = None  # the customer's own time zone, when they set one
    open_now: bool = True  # the restaurant's: else the order can only be for a slot
    removed: tuple[str, ...] = ()
    short: tuple[tuple[str, int], ...] = ()  # dishes cut to the portions left: (name, left)
    price_changes: tuple[PriceChange, ...] = ()
    changed: bool = False
    new_address: bool = False

    @property
    def token(self) -> int:
        assert self.checkout.token is not None
        return self.checkout.token


@dataclass(frozen=True)
class OrderView:
    order: Order
    restaurant_name: str
    history: tuple[OrderEvent, ...] = ()
    partner_name: str | None = None
    rating: int | None = None
    tracking: TrackingMessage | None = None  # the customer's live status message, if any
    time_zone: str = "UTC"  # the restaurant's: the order's times are shown in it
    shown_at: datetime | None = None  # when read for showing: later than expected is "late"
    travel_minutes: int | None = None  # the restaurant's usual ride
    prep_minutes: int | None = None  # and its preparation time
    customer_zone: str | None = None  # the customer's own time zone, when they set one
    rider: tuple[float, float] | None = None  # the rider's spot, while it is on its way

    @property
    def starts_at(self) -> datetime | None:
        """When the queue starts a scheduled order: its slot less preparation and ride."""
        slot = self.order.scheduled_for
        if slot is None or self.travel_minutes is None or self.prep_minutes is None:
            return None
        return slot - timedelta(minutes=self.prep_minutes + self.travel_minutes)

    @property
    def expected_by(self) -> datetime | None:
        """When it should arrive: the estimate made at placing, until it is on its way; then
        the moment it left plus the ride."""
        left = next((e.at for e in reversed(self.history)
                     if e.to_status == OrderStatus.OUT_FOR_DELIVERY), None)
        ride = self.order.ride_minutes or self.travel_minutes
        if left is not None and ride is not None:
            return left + timedelta(minutes=ride)
        return self.order.expected_at

    @property
    def late(self) -> bool:
        """Not delivered yet, and past the time it was expected."""
        expected = self.expected_by
        return (expected is not None and self.shown_at is not None
                and not self.order.status.is_terminal and self.shown_at > expected)

    @property
    def can_cancel(self) -> bool:
        return self.order.status in CUSTOMER_CANCELLABLE

    @property
    def can_rate(self) -> bool:
        return self.order.status == OrderStatus.DELIVERED and self.rating is None


@dataclass(frozen=True)
class Placed:
    view: OrderView
    created: bool  # False for a repeated press: the order was placed before


@dataclass(frozen=True)
class Reordered:
    cart: CartView
    skipped: tuple[str, ...]  # dishes of the old order that cannot be ordered now


OrderKey = tuple[int, int]  # an order's place in a list: its creation (µs since 1970), its id


def order_key(order: Order) -> OrderKey:
    moment = order.created_at
    return (int(moment.timestamp()) * 1_000_000 + moment.microsecond, order.id)
