"""Small helpers that put domain objects into a real database for the tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.customers import Customer
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.orders import DeliveryDetails, Order, OrderItem
from domain.restaurants import MenuItem, Restaurant
from storage.uow import SqlUnitOfWork

T0 = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)
CUSTOMER = UserId(1001)
OTHER_CUSTOMER = UserId(1002)
HOME = DeliveryDetails("12 Residency Road, Bengaluru", 12.97, 77.6, "+91 98450 12345", "ring twice")


@dataclass
class FixedClock:
    """A clock that only moves when told to."""

    at: datetime = T0

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@dataclass(frozen=True)
class Catalog:
    restaurant: Restaurant
    pizza: MenuItem
    cola: MenuItem


async def add_catalog(uows: Callable[[], SqlUnitOfWork]) -> Catalog:
    """One open restaurant with two dishes, and two registered customers."""
    async with uows() as uow:
        restaurant = await uow.restaurants.add(
            Restaurant(RestaurantId(0), "Dominos", "MG Road, Bengaluru", manager_chat_id=-1001234)
        )
        pizza = await uow.menu.add(
            MenuItem(MenuItemId(0), restaurant.id, "Pizza", 25000, description="Cheese, tomato",
                     category="Pizzas", photo_file_id="AgACAgIAAxkBAAIB")
        )
        cola = await uow.menu.add(MenuItem(MenuItemId(0), restaurant.id, "Cola", 6000,
                                           category="Beverages"))
        await uow.customers.save(Customer(CUSTOMER, "Asha", "+91 98450 12345"))
        await uow.customers.save(Customer(OTHER_CUSTOMER, "Ravi"))
        await uow.commit()
    return Catalog(restaurant, pizza, cola)


def new_order(catalog: Catalog, at: datetime, *, customer: UserId = CUSTOMER,
              key: str | None = None) -> Order:
    """A placed, not yet stored order: two pizzas and a cola."""
    items = (
        OrderItem(catalog.pizza.id, catalog.pizza.name, catalog.pizza.price, 2),
        OrderItem(catalog.cola.id, catalog.cola.name, catalog.cola.price, 1),
    )
    return Order.place(
        customer_id=customer, restaurant_id=catalog.restaurant.id, items=items,
        currency="INR", delivery=HOME, at=at, idempotency_key=key,
    )


async def store_order(uows: Callable[[], SqlUnitOfWork], order: Order) -> Order:
    async with uows() as uow:
        await uow.orders.add(order)
        await uow.commit()
    return order


@dataclass
class SeqTokens:
    """A TokenSource giving 1, 2, 3, ... (distinct invite codes, predictable in tests)."""

    last: int = 0

    def new_token(self) -> int:
        self.last += 1
        return self.last
