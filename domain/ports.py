"""What the domain needs from the outside world, as Protocols (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.cart import Cart
from domain.checkout import Checkout
from domain.customers import Customer
from domain.estimates import Riders
from domain.ids import MenuItemId, OrderId, RestaurantId, TaskId, UserId
from domain.lines import LineMessage
from domain.messages import Notification
from domain.orders import Order, OrderEvent
from domain.partners import Partner
from domain.payments import Payments
from domain.promos import Promos
from domain.restaurants import MenuItem, Restaurant
from domain.rider_map import RiderSpot
from domain.tasks import NewTask
from domain.views import OrderKey, OrderView, TrackingMessage


class Clock(Protocol):
    def now(self) -> datetime: ...


class TokenSource(Protocol):
    def new_token(self) -> int:
        """A fresh unguessable positive integer (below 2**62), e.g. for a checkout summary."""
        ...


class RestaurantRepository(Protocol):
    async def add(self, restaurant: Restaurant) -> Restaurant: ...
    async def get(self, restaurant_id: RestaurantId) -> Restaurant | None: ...
    async def get_many(
        self, restaurant_ids: Iterable[RestaurantId]
    ) -> dict[RestaurantId, Restaurant]: ...
    async def get_by_name(self, name: str) -> Restaurant | None: ...
    async def list(self) -> Sequence[Restaurant]: ...
    async def save(self, restaurant: Restaurant) -> None: ...


class MenuRepository(Protocol):
    async def add(self, item: MenuItem) -> MenuItem: ...
    async def get(self, item_id: MenuItemId) -> MenuItem | None: ...
    async def get_many(self, item_ids: Iterable[MenuItemId]) -> dict[MenuItemId, MenuItem]: ...
    async def for_restaurant(self, restaurant_id: RestaurantId) -> Sequence[MenuItem]: ...
    async def save(self, item: MenuItem) -> None: ...

    async def back_in_stock(self, now: datetime) -> list[MenuItem]:
        """Dishes sold out until `now` or earlier: no longer counted from now on."""
        ...

    async def next_back(self) -> datetime | None:
        """When the next dish sold out for the day comes back."""
        ...

    async def take_stock(self, order_id: OrderId, items: Sequence[tuple[MenuItem, int]]
                         ) -> dict[str, int]:
        """Counts the order's portions off the dishes' stock, each in one conditional
        statement, and marks the order's lines as taken from it; the dishes with fewer left
        (name: left) when any is short, in which case the caller must roll back."""
        ...


class Catalogue(Protocol):
    """The catalogue as customers browse it, read outside any transaction: possibly from a
    cache (domain/catalogue.py), so never the basis of a write."""

    async def restaurants(self) -> Sequence[Restaurant]: ...
    async def restaurant(self, restaurant_id: RestaurantId) -> Restaurant | None: ...
    async def menu(self, restaurant_id: RestaurantId) -> Sequence[MenuItem]: ...
    async def dish(self, item_id: MenuItemId) -> MenuItem | None: ...


class CustomerRepository(Protocol):
    async def get(self, customer_id: UserId) -> Customer | None: ...
    async def save(self, customer: Customer) -> None: ...

    async def set_time_zone(self, customer: Customer, zone: str | None) -> None:
        """Stores the customer's own time zone (None: none), registering them if new."""
        ...

    async def ensure(self, customer: Customer) -> None:
        """Stores the customer unless one with that id exists (which is left as it is)."""
        ...


class CartRepository(Protocol):
    async def get(self, customer_id: UserId) -> Cart: ...
    async def get_many(self, customer_ids: Iterable[UserId]) -> dict[UserId, Cart]: ...
    async def save(self, cart: Cart) -> None: ...
    async def clear_many(self, customer_ids: Iterable[UserId]) -> None: ...


class CheckoutRepository(Protocol):
    async def get(self, customer_id: UserId) -> Checkout | None: ...
    async def get_many(self, customer_ids: Iterable[UserId]) -> dict[UserId, Checkout]: ...
    async def save(self, checkout: Checkout) -> None: ...
    async def delete(self, customer_id: UserId) -> None: ...
    async def delete_many(self, customer_ids: Iterable[UserId]) -> None: ...


class TrackingRepository(Protocol):
    """Which chat message shows an order's live status to its customer."""

    async def get(self, order_id: OrderId) -> TrackingMessage | None: ...
    async def save(self, order_id: OrderId, message: TrackingMessage) -> None: ...
    async def add_many(self, messages: Mapping[OrderId, TrackingMessage]) -> None: ...


class RatingRepository(Protocol):
    async def get(self, order_id: OrderId) -> int | None: ...
    async def add(self, order_id: OrderId, stars: int, at: datetime) -> None: ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None:
        """Stores a new order with its items and events, and binds its id."""
        ...

    async def get(self, order_id: OrderId) -> Order | None: ...
    async def add_many(self, orders: Sequence[Order]) -> None:
        """Stores new orders as `add` does, set-based."""
        ...

    async def known_keys(self, keys: Iterable[str]) -> set[str]: ...
    async def get_by_idempotency_key(self, key: str) -> Order | None: ...
    async def for_customer(self, customer_id: UserId, limit: int, *,
                           before: OrderKey | None = None,
                           after: OrderKey | None = None) -> Sequence[Order]:
        """The customer's orders for a keyset page (domain.paging, domain.views.order_key):
        the latest `limit`, or the `limit` just below `before` newest first, or just above
        `after` oldest first."""
        ...
    async def history(self, order_id: OrderId) -> Sequence[OrderEvent]: ...

    async def view(self, order: Order) -> OrderView:
        """The order with its restaurant's name, history, partner's name, rating and tracking
        message."""
        ...

    async def view_of(self, order_id: OrderId) -> OrderView | None:
        """`view(get(order_id))`, read in fewer queries; None when there is no such order."""
        ...


class PartnerRepository(Protocol):
    async def get(self, partner_id: UserId) -> Partner | None: ...
    async def list(self, limit: int | None = None, *, before: int | None = None,
                   after: int | None = None) -> Sequence[Partner]:
        """Every partner by user id; with `limit`, a keyset page of them (domain.paging)."""
        ...
    async def save(self, partner: Partner) -> None: ...

    async def set_online(self, partner: Partner) -> None:
        """Writes only `online` and `idle_since`: never races an accept's active order."""
        ...

    async def revoke(self, partner_id: UserId) -> bool:
        """REVOKED and offline in one conditional statement, unless the partner holds an
        active order (or does not exist): then False and nothing changed."""
        ...

    async def riders(self) -> Riders:
        """Approved partners online, free and busy, and orders waiting for one, counted in
        one statement (domain.estimates)."""
        ...


class TaskQueue(Protocol):
    async def enqueue(self, task: NewTask) -> TaskId: ...
    async def enqueue_many(self, tasks: Sequence[NewTask]) -> None: ...


class Outbox(Protocol):
    async def add(self, notification: Notification, at: datetime) -> None: ...


class Transaction(Protocol):
    """One unit of work's transaction: `async with` rolls back unless commit() ran."""

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class RiderSpots(Protocol):
    """The rider on the map (domain.rider_map)."""

    async def put(self, order_id: OrderId, chat_id: int, latitude: float, longitude: float,
                  at: datetime) -> None: ...
    async def live(self, now: datetime, limit: int) -> list[RiderSpot]: ...
    async def claim(self, order_id: OrderId, now: datetime, until: datetime) -> bool: ...
    async def shown(self, order_id: OrderId, message_id: int, latitude: float,
                    longitude: float, at: datetime) -> None: ...
    async def tracked(self, order_id: OrderId, at: datetime) -> None: ...
    async def stopped(self, order_id: OrderId) -> None: ...
    async def release(self, order_id: OrderId) -> None: ...


class Lines(Protocol):
    """The private lines between customers and riders (domain.lines)."""

    async def add(self, message: LineMessage) -> None: ...
    async def replied_to(self, chat_id: int, message_id: int) -> LineMessage | None: ...
    async def of(self, order_id: OrderId) -> Sequence[LineMessage]: ...
    async def closed(self, order_id: OrderId) -> bool: ...


class UnitOfWork(Transaction, Protocol):
    restaurants: RestaurantRepository
    menu: MenuRepository
    customers: CustomerRepository
    carts: CartRepository
    checkouts: CheckoutRepository
    orders: OrderRepository
    tracking: TrackingRepository
    ratings: RatingRepository
    rider_spots: RiderSpots
    lines: Lines
    partners: PartnerRepository
    tasks: TaskQueue
    outbox: Outbox
    promos: Promos
    payments: Payments


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
