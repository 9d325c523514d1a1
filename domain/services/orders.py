"""A customer's orders: list, open, track, cancel while allowed, reorder, rate."""

from __future__ import annotations

from dataclasses import replace

from domain.cart import MAX_QUANTITY, LineKey, orderable_line
from domain.customers import Customer
from domain.errors import (
    AlreadyRated,
    InvalidInput,
    NotAllowed,
    NotFound,
    TooLateToCancel,
)
from domain.ids import MenuItemId, OrderId, UserId
from domain.options import line_name
from domain.orders import Actor, ActorKind, Order, OrderStatus
from domain.paging import Keyset, keyset
from domain.pipeline.ports import PipelineActions
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.services.openings import taking_orders
from domain.services.shopping import make_room, read_cart
from domain.views import OrderKey, OrderView, Reordered, TrackingMessage, order_key

RECENT_ORDERS = 10
CUSTOMER_CANCEL = "by the customer"  # the reason in the order's history


class CustomerOrders:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, currency: str,
        pipeline: PipelineActions,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._pipeline = pipeline
        self.currency = currency

    async def recent(self, customer_id: UserId, *, before: OrderKey | None = None,
                     after: OrderKey | None = None) -> Keyset[OrderView, OrderKey]:
        """A page of the customer's orders, newest first, without their history: the latest,
        or those just below `before` (older) or above `after` (newer)."""
        async with self._uow() as uow:
            found = list(await uow.orders.for_customer(customer_id, RECENT_ORDERS + 1,
                                                       before=before, after=after))
            kitchens = await uow.restaurants.get_many({o.restaurant_id for o in found})
        views = [OrderView(order, kitchen.name, time_zone=kitchen.time_zone)
                 if (kitchen := kitchens.get(order.restaurant_id)) is not None
                 else OrderView(order, "?") for order in found]
        return keyset(views, RECENT_ORDERS, lambda view: order_key(view.order), before=before,
                      after=after)

    async def view(self, customer_id: UserId, order_id: OrderId) -> OrderView:
        """One of the customer's orders with its history; another's order is "not found"."""
        async with self._uow() as uow:
            view = await order_view(uow, await _own(uow, customer_id, order_id))
        return replace(view, shown_at=self._clock.now())

    async def cancellable(self, customer_id: UserId, order_id: OrderId) -> OrderView:
        """The order, if its customer may still cancel it; TooLateToCancel otherwise."""
        view = await self.view(customer_id, order_id)
        if not view.can_cancel:
            raise TooLateToCancel(view.order.status)
        return view

    async def cancel(self, customer_id: UserId, order_id: OrderId) -> OrderView:
        """Cancels while CREATED or CONFIRMED (later: TooLateToCancel), through the same cancel
        as admins' and restaurants': a partner is released, open offers withdrawn, the partner
        and a restaurant that had the ticket told. A repeated press changes nothing."""
        async with self._uow() as uow:
            await _own(uow, customer_id, order_id)
        actor = Actor(ActorKind.CUSTOMER, customer_id)
        await self._pipeline.cancel_order(order_id, actor, CUSTOMER_CANCEL)
        return await self.view(customer_id, order_id)

    async def reorder(
        self, customer: Customer, order_id: OrderId, *, replace_other: bool = False
    ) -> Reordered:
        """Puts a past order's dishes, with their options, into the cart at today's prices;
        skips what is gone. A closed restaurant that takes orders for later is fine: its
        checkout is for a slot.

        A cart holding another restaurant's dishes raises OtherRestaurantInCart unless
        `replace_other` empties it first.
        """
        async with self._uow() as uow:
            order = await _own(uow, customer.id, order_id)
            await uow.customers.ensure(customer)
            restaurant = await taking_orders(uow, order.restaurant_id, self._clock.now())
            cart = await uow.carts.get(customer.id)
            await make_room(uow, cart, restaurant, replace_other=replace_other)
            menu = await uow.menu.get_many(MenuItemId(line.item_id) for line in order.items)
            skipped = []
            for line in order.items:
                item = menu.get(MenuItemId(line.item_id))
                key = LineKey.of(MenuItemId(line.item_id), (o.id for o in line.options))
                if item is None or item.restaurant_id != restaurant.id or not orderable_line(
                        item, key):
                    skipped.append(line_name(line.name, line.choices))
                    continue
                quantity = min(cart.lines.get(key, 0) + line.quantity, MAX_QUANTITY)
                cart.set_quantity(key, quantity, item.restaurant_id)
            await uow.carts.save(cart)
            view = await read_cart(uow, cart, self.currency)
            await uow.commit()
            return Reordered(view, tuple(skipped))

    async def rate(self, customer_id: UserId, order_id: OrderId, stars: int) -> OrderView:
        """One 1-5 star rating per delivered order."""
        if not 1 <= stars <= 5:
            raise InvalidInput("a rating is 1 to 5 stars")
        async with self._uow() as uow:
            order = await _own(uow, customer_id, order_id)
            if order.status != OrderStatus.DELIVERED:
                raise NotAllowed("only a delivered order can be rated")
            if await uow.ratings.get(order.id) is not None:
                raise AlreadyRated("this order has its rating already")
            await uow.ratings.add(order.id, stars, self._clock.now())
            view = await order_view(uow, order)
            await uow.commit()
            return view

    async def tracking(self, order_id: OrderId) -> OrderView | None:
        """What the order's live status message should show now; None without such a message."""
        view = await self.card(order_id)
        return view if view is not None and view.tracking is not None else None

    async def card(self, order_id: OrderId) -> OrderView | None:
        """What the order's status message, sent anew, shows now; None: no such order."""
        async with self._uow() as uow:
            view = await uow.orders.view_of(order_id)
        return replace(view, shown_at=self._clock.now()) if view is not None else None

    async def track_in(self, order_id: OrderId, message: TrackingMessage) -> None:
        """`message` is the order's live status message from now on (it was sent anew)."""
        async with self._uow() as uow:
            await uow.tracking.save(order_id, message)
            await uow.commit()


async def order_view(uow: UnitOfWork, order: Order) -> OrderView:
    """The order with its restaurant's name, history, partner, rating and tracking message."""
    return await uow.orders.view(order)


async def _own(uow: UnitOfWork, customer_id: UserId, order_id: OrderId) -> Order:
    order = await uow.orders.get(order_id)
    if order is None or order.customer_id != customer_id:
        raise NotFound("order", order_id)
    return order
