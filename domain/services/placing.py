""""Place order" presses made at the same moment, placed in one unit of work: group commit,
as the partners' presses do (domain.group_commit).

A batch takes the presses that are plain sailing: the summary's token is the checkout's, the
cart and its delivery fee are what the summary showed, every dish is available, the restaurant
open and its minimum order reached. Those are read together (one query per table for the whole
batch), stored set-based and committed once; each caller gets its own order. Any other press
(a repeat, a stale summary, a changed price or fee, an empty cart, a closed restaurant, dishes
below the minimum) is answered `ALONE`: its caller places it the one-order way
(CheckoutService), which gives every refusal and every new summary exactly as before.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from domain.cart import Cart
from domain.errors import OutOfStock
from domain.estimates import estimate
from domain.group_commit import Waiting
from domain.ids import MenuItemId, UserId
from domain.orders import DeliveryDetails, Order
from domain.ports import UnitOfWork
from domain.promos import Promo
from domain.restaurants import MenuItem, Restaurant
from domain.services.openings import RiderCount, estimated, open_restaurant, restaurant_for_slot
from domain.slots import starts_at
from domain.tasks import NewTask, TaskKind
from domain.views import OrderView, Placed, TrackingMessage

ALONE = "alone"  # the answer for a press this batch leaves to the one-order path


@dataclass(eq=False)
class PlaceRequest(Waiting):
    customer_id: UserId
    token: int
    key: str  # the order's idempotency key
    tracking: TrackingMessage

    def keys(self) -> Iterable[Hashable]:
        yield ("customer", self.customer_id)


async def place_batch(
    uow: UnitOfWork, batch: list[PlaceRequest], currency: str, now: datetime,
    counted: RiderCount,
) -> None:
    """Places every plain-sailing press of `batch` and commits; see the module doc."""
    customers = [r.customer_id for r in batch]
    known = await uow.orders.known_keys([r.key for r in batch])
    checkouts = await uow.checkouts.get_many(customers)
    carts = await uow.carts.get_many(customers)
    menu = await uow.menu.get_many({i for cart in carts.values() for i in cart.quantities})
    restaurants = await uow.restaurants.get_many(
        {cart.restaurant_id for cart in carts.values() if cart.restaurant_id is not None})
    placing: list[tuple[PlaceRequest, Order, Restaurant]] = []
    riders = await counted.now(uow)
    for r in batch:
        r.answer = ALONE
        checkout, cart = checkouts.get(r.customer_id), carts[r.customer_id]
        restaurant = restaurants.get(cart.restaurant_id) if cart.restaurant_id else None
        if (r.key in known or checkout is None or checkout.token != r.token or cart.is_empty
                or checkout.promo_code is not None  # its use is counted the one-order way
                or checkout.deliver_at is not None  # a slot is checked the one-order way
                or any(menu[i].stock is not None for i in cart.quantities if i in menu)
                or restaurant is None or not restaurant.open_at(now)
                or cart.unavailable(menu)):
            continue
        priced = cart.price(menu, currency)
        bill = restaurant.bill_for(priced.total.amount, currency)
        if restaurant.short_of_minimum(bill.subtotal) or not checkout.matches(priced, bill):
            continue
        delivery = checkout.delivery()
        eta = estimate(restaurant, riders, delivery.latitude, delivery.longitude)
        riders = replace(riders, waiting=riders.waiting + 1)  # this one waits for a rider too
        order = Order.place(
            customer_id=r.customer_id, restaurant_id=restaurant.id,
            items=priced.order_items(), currency=currency, delivery=delivery,
            at=now, idempotency_key=r.key, delivery_fee=bill.delivery_fee,
            expected_at=eta.arrives(now), ride_minutes=eta.ride_minutes,
        )
        placing.append((r, order, restaurant))
    if not placing:
        return
    counted.placed(len(placing))
    orders = [order for _, order, _ in placing]
    await uow.orders.add_many(orders)
    await uow.tasks.enqueue_many([NewTask(TaskKind.CONFIRM_ORDER, o.id, now) for o in orders])
    placed = [r.customer_id for r, _, _ in placing]
    await uow.carts.clear_many(placed)
    await uow.checkouts.delete_many(placed)
    await uow.tracking.add_many({order.id: r.tracking for r, order, _ in placing})
    await uow.commit()
    for r, order, kitchen in placing:
        checkout = checkouts[r.customer_id]
        r.answer = just_placed(order, kitchen, r.tracking, checkout.customer_zone)


def just_placed(order: Order, restaurant: Restaurant, tracking: TrackingMessage,
                customer_zone: str | None = None) -> Placed:
    """What a customer sees of the order they have just placed: all there is to show of a
    new order, without reading it back."""
    return Placed(OrderView(order, restaurant.name, (order.placing(),), tracking=tracking,
                            time_zone=restaurant.time_zone,
                            travel_minutes=restaurant.travel_minutes,
                            prep_minutes=restaurant.prep_minutes,
                            customer_zone=customer_zone), created=True)


class PromoTaken(Exception):
    """The promo code's last use (in all, or the customer's) went to another order between
    the summary and this placing; the unit of work is left without committing."""


async def place_cart(
    uow: UnitOfWork,
    cart: Cart,
    delivery: DeliveryDetails,
    *,
    currency: str,
    at: datetime,
    idempotency_key: str | None = None,
    menu: dict[MenuItemId, MenuItem] | None = None,
    restaurant: Restaurant | None = None,
    discount: int = 0,
    promo: Promo | None = None,
    tip: int = 0,
    paid_online: bool = False,
    deliver_at: datetime | None = None,
    riders: RiderCount | None = None,
) -> tuple[Order, Restaurant]:
    """Writes the cart as a CREATED order with its first event and queue task, and empties it;
    returns the order and its restaurant. `menu` and `restaurant` (found open): the cart's
    dishes and restaurant, if just read. Refuses a closed restaurant, and dishes below its
    minimum order (BelowMinimum).

    Runs inside the caller's unit of work; the caller commits.
    """
    if menu is None:
        menu = await uow.menu.get_many(cart.quantities)
    priced = cart.price(menu, currency)  # refuses an empty cart, missing or unavailable dishes
    if deliver_at is not None:  # a slot: the restaurant must take orders then, not now
        restaurant = await restaurant_for_slot(uow, priced.restaurant_id, deliver_at, at)
    elif restaurant is None or restaurant.id != priced.restaurant_id:
        restaurant = await open_restaurant(uow, priced.restaurant_id, at)
    if riders is not None:
        eta = await estimated(uow, restaurant, riders, delivery.latitude, delivery.longitude)
        riders.placed()
    else:
        eta = estimate(restaurant, await uow.partners.riders(), delivery.latitude,
                       delivery.longitude)
    dishes = priced.total.amount
    restaurant.check_minimum(dishes, currency)
    order = Order.place(
        customer_id=cart.customer_id, restaurant_id=restaurant.id, items=priced.order_items(),
        currency=currency, delivery=delivery, at=at, idempotency_key=idempotency_key,
        delivery_fee=restaurant.delivery_fee_for(dishes), discount=discount,
        promo_code=promo.code if promo is not None else None, tip=tip,
        paid_online=paid_online, scheduled_for=deliver_at, ride_minutes=eta.ride_minutes,
        expected_at=deliver_at if deliver_at is not None else eta.arrives(at),
    )
    await uow.orders.add(order)
    counted = [(menu[item_id], portions) for item_id, portions in cart.quantities.items()
               if menu[item_id].stock is not None]
    if counted and (short := await uow.menu.take_stock(order.id, counted)):
        raise OutOfStock(short)  # another order took the last portions: nothing placed
    if promo is not None and not await uow.promos.take_use(
            promo, cart.customer_id, order.id, at):
        raise PromoTaken()
    start = starts_at(restaurant, deliver_at) if deliver_at is not None else at
    await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, order.id, max(start, at)))
    cart.clear()
    await uow.carts.save(cart)
    return order, restaurant
