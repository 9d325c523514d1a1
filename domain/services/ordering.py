"""Use cases the handlers call. Each runs in one unit of work (DESIGN.md §3, §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.cart import Cart, PricedCart
from domain.customers import Customer
from domain.errors import EmptyCart
from domain.ids import MenuItemId, UserId
from domain.orders import DeliveryDetails, Order, OrderItem
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.restaurants import MenuItem
from domain.shopping import open_restaurant
from domain.tasks import NewTask, TaskKind


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    created: bool  # False when the idempotency key had placed it already


class OrderingService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, currency: str) -> None:
        self._uow = uow_factory
        self._clock = clock
        self.currency = currency

    async def register_customer(self, customer_id: UserId, name: str) -> Customer:
        """Records a customer the first time they write; keeps a known phone number."""
        async with self._uow() as uow:
            customer = await uow.customers.get(customer_id)
            if customer is None or customer.name != name:
                phone = customer.phone if customer else None
                customer = Customer(customer_id, name, phone)
                await uow.customers.save(customer)
                await uow.commit()
            return customer

    async def place_order(
        self,
        customer_id: UserId,
        delivery: DeliveryDetails,
        *,
        idempotency_key: str | None = None,
    ) -> PlacedOrder:
        """Turns the cart into a CREATED order with its first event and queue task, atomically.

        A repeated `idempotency_key` returns the order it placed before.
        """
        async with self._uow() as uow:
            if idempotency_key is not None:
                existing = await uow.orders.get_by_idempotency_key(idempotency_key)
                if existing is not None:
                    return PlacedOrder(existing, created=False)
            cart = await uow.carts.get(customer_id)
            order = await place_cart(
                uow, cart, delivery, currency=self.currency, at=self._clock.now(),
                idempotency_key=idempotency_key,
            )
            await uow.commit()
            return PlacedOrder(order, created=True)


async def price_cart(uow: UnitOfWork, cart: Cart, currency: str) -> PricedCart:
    """The cart priced from the menu as stored now; refuses missing or unavailable dishes."""
    if cart.is_empty:
        raise EmptyCart()
    menu: dict[MenuItemId, MenuItem] = await uow.menu.get_many(cart.quantities)
    return cart.price(menu, currency)


async def place_cart(
    uow: UnitOfWork,
    cart: Cart,
    delivery: DeliveryDetails,
    *,
    currency: str,
    at: datetime,
    idempotency_key: str | None = None,
) -> Order:
    """Writes the cart as a CREATED order with its first event and queue task, and empties it.

    Runs inside the caller's unit of work; the caller commits.
    """
    priced = await price_cart(uow, cart, currency)
    restaurant = await open_restaurant(uow, priced.restaurant_id)
    items = tuple(
        OrderItem(line.item_id, line.name, line.unit_price, line.quantity)
        for line in priced.lines
    )
    order = Order.place(
        customer_id=cart.customer_id, restaurant_id=restaurant.id, items=items,
        currency=currency, delivery=delivery, at=at, idempotency_key=idempotency_key,
    )
    await uow.orders.add(order)
    await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, order.id, at))
    cart.clear()
    await uow.carts.save(cart)
    return order
