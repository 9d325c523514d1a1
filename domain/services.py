"""Use cases the handlers call. Each runs in one unit of work (DESIGN.md §3, §4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.cart import Cart, PricedCart
from domain.customers import Customer
from domain.errors import EmptyCart, NotFound, RestaurantClosed
from domain.ids import MenuItemId, OrderId, UserId
from domain.orders import DeliveryDetails, Order, OrderItem
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.restaurants import MenuItem, Restaurant
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

    async def restaurants(self) -> Sequence[Restaurant]:
        """Every restaurant, open ones first, then by name."""
        async with self._uow() as uow:
            found = await uow.restaurants.list()
        return sorted(found, key=lambda r: (not r.is_open, r.name.casefold(), r.id))

    async def add_to_cart(
        self, customer_id: UserId, item_id: MenuItemId, *, replace_other: bool = False
    ) -> Cart:
        """Adds one of a dish; refuses unknown or unavailable dishes."""
        async with self._uow() as uow:
            item = await uow.menu.get(item_id)
            if item is None:
                raise NotFound("menu item", item_id)
            cart = await uow.carts.get(customer_id)
            cart.add(item, replace_other=replace_other)
            await uow.carts.save(cart)
            await uow.commit()
            return cart

    async def price_cart(self, customer_id: UserId) -> PricedCart:
        """The cart priced from the current menu, as the customer would pay now."""
        async with self._uow() as uow:
            cart = await uow.carts.get(customer_id)
            return await self._price(uow, cart)

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
        now = self._clock.now()
        async with self._uow() as uow:
            if idempotency_key is not None:
                existing = await uow.orders.get_by_idempotency_key(idempotency_key)
                if existing is not None:
                    return PlacedOrder(existing, created=False)
            cart = await uow.carts.get(customer_id)
            priced = await self._price(uow, cart)
            restaurant = await uow.restaurants.get(priced.restaurant_id)
            if restaurant is None:
                raise NotFound("restaurant", priced.restaurant_id)
            if not restaurant.is_open:
                raise RestaurantClosed(restaurant.name)
            items = tuple(
                OrderItem(line.item_id, line.name, line.unit_price, line.quantity)
                for line in priced.lines
            )
            order = Order.place(
                customer_id=customer_id, restaurant_id=restaurant.id, items=items,
                currency=self.currency, delivery=delivery, at=now,
                idempotency_key=idempotency_key,
            )
            await uow.orders.add(order)
            await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, order.id, now))
            cart.clear()
            await uow.carts.save(cart)
            await uow.commit()
            return PlacedOrder(order, created=True)

    async def order(self, order_id: OrderId) -> Order:
        async with self._uow() as uow:
            found = await uow.orders.get(order_id)
        if found is None:
            raise NotFound("order", order_id)
        return found

    async def _price(self, uow: UnitOfWork, cart: Cart) -> PricedCart:
        if cart.is_empty:
            raise EmptyCart()
        menu: dict[MenuItemId, MenuItem] = await uow.menu.get_many(cart.quantities)
        return cart.price(menu, self.currency)
