"""Checkout as use cases: address, note, summary, and placing exactly the order shown.

This is the one way an order is placed (DESIGN.md §3): `place`, which places the presses
made at the same moment together (domain.services.placing) and any other the one-order way,
`place_cart`.
"""

from __future__ import annotations

from datetime import datetime

from domain.cart import Cart, PricedCart
from domain.checkout import Checkout, CheckoutStep, order_key
from domain.customers import Customer
from domain.errors import DuplicateOrder, EmptyCart, NotFound, NotYourContact, StaleSummary
from domain.group_commit import Line
from domain.ids import MenuItemId, UserId
from domain.money import Money
from domain.orders import DeliveryDetails, Order
from domain.ports import Clock, TokenSource, UnitOfWork, UnitOfWorkFactory
from domain.restaurants import MenuItem, Restaurant
from domain.services.orders import order_view
from domain.services.placing import ALONE, PlaceRequest, just_placed, place_batch
from domain.services.shopping import open_restaurant
from domain.tasks import NewTask, TaskKind
from domain.views import Placed, PriceChange, Summary, TrackingMessage, cart_view


class CheckoutService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, currency: str, tokens: TokenSource
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._tokens = tokens
        self.currency = currency
        self._line: Line[UnitOfWork, PlaceRequest] = Line(uow_factory, self._batch, tries=1)

    async def start(self, customer_id: UserId) -> None:
        """Begins checkout, or goes back to its address step keeping the note; any summary
        shown before is out of date from now on. Refuses an empty cart or a closed restaurant."""
        async with self._uow() as uow:
            cart = await uow.carts.get(customer_id)
            if cart.is_empty or cart.restaurant_id is None:
                raise EmptyCart()
            restaurant = await open_restaurant(uow, cart.restaurant_id)
            if restaurant.min_order:
                menu = await uow.menu.get_many(cart.quantities)
                dishes = cart_view(cart, menu, restaurant, self.currency).total
                restaurant.check_minimum(dishes.amount, self.currency)
            draft = await uow.checkouts.get(customer_id)
            known = await uow.customers.get(customer_id)
            note = draft.note if draft is not None else ""
            phone = draft.phone if draft is not None and draft.phone else None
            phone = phone or (known.phone if known is not None else None)
            await uow.checkouts.save(Checkout(customer_id, note=note, phone=phone))
            await uow.commit()

    async def cancel(self, customer_id: UserId) -> bool:
        """Ends checkout, keeping the cart; False when none was in progress."""
        async with self._uow() as uow:
            found = await uow.checkouts.get(customer_id) is not None
            await uow.checkouts.delete(customer_id)
            await uow.commit()
        return found

    async def receive_text(self, customer_id: UserId, text: str) -> Summary | None:
        """A typed message during checkout: the address, or once it is known, the note.

        None when the customer is not checking out.
        """
        async with self._uow() as uow:
            checkout = await uow.checkouts.get(customer_id)
            if checkout is None:
                return None
            new_address = checkout.step == CheckoutStep.ADDRESS
            if new_address:
                checkout.set_address(text)
            else:
                checkout.set_note(text)
            return await self._summarize(uow, checkout, new_address=new_address)

    async def receive_location(
        self, customer_id: UserId, latitude: float, longitude: float
    ) -> Summary | None:
        """A shared location during checkout becomes the delivery address."""
        async with self._uow() as uow:
            checkout = await uow.checkouts.get(customer_id)
            if checkout is None:
                return None
            checkout.set_location(latitude, longitude)
            return await self._summarize(uow, checkout, new_address=True)

    async def receive_contact(
        self, customer: Customer, phone: str, owner_id: int | None
    ) -> Summary | Checkout | None:
        """The customer's own number shared during checkout, for the rider, and kept for next
        time. At the address step the draft comes back; once a summary was shown, a new
        summary. None when the customer is not checking out."""
        if owner_id != customer.id:
            raise NotYourContact()
        async with self._uow() as uow:
            checkout = await uow.checkouts.get(customer.id)
            if checkout is None:
                return None
            checkout.set_phone(phone)
            await uow.customers.save(Customer(customer.id, customer.name, checkout.phone))
            if checkout.step == CheckoutStep.ADDRESS:
                await uow.checkouts.save(checkout)
                await uow.commit()
                return checkout
            return await self._summarize(uow, checkout)

    async def place(
        self, customer_id: UserId, token: int, tracking: TrackingMessage
    ) -> Placed | Summary:
        """Places the order the summary with `token` showed, and makes `tracking` its live
        status message. A repeated press returns the order placed the first time. When the
        cart no longer matches the summary, nothing is placed: a new summary comes back."""
        key = order_key(customer_id, token)
        try:
            placed = await self._line.submit(PlaceRequest(customer_id, token, key, tracking))
            if placed != ALONE:  # placed together with the presses made at the same moment
                assert isinstance(placed, Placed)
                return placed
            return await self._place(customer_id, token, key, tracking)
        except (DuplicateOrder, StaleSummary, EmptyCart):
            # A press on another instance may have won the race: its order took the insert,
            # or its commit came between our reads and took the summary or emptied the cart.
            async with self._uow() as uow:
                placed = await _placed_before(uow, key)
            if placed is None:
                raise
            return placed

    async def _batch(self, uow: UnitOfWork, batch: list[PlaceRequest]) -> None:
        await place_batch(uow, batch, self.currency, self._clock.now())

    async def _place(
        self, customer_id: UserId, token: int, key: str, tracking: TrackingMessage
    ) -> Placed | Summary:
        """The one-order way: any press a batch does not place (domain.services.placing)."""
        async with self._uow() as uow:
            placed = await _placed_before(uow, key)
            if placed is not None:
                return placed
            checkout = await uow.checkouts.get(customer_id)
            if checkout is None or checkout.token != token:
                raise StaleSummary()
            cart = await uow.carts.get(customer_id)
            menu = await uow.menu.get_many(cart.quantities)
            if cart.unavailable(menu):
                return await self._summarize(uow, checkout, changed=True)
            priced = cart.price(menu, self.currency)
            restaurant = await open_restaurant(uow, priced.restaurant_id)
            if not checkout.matches(priced, restaurant.bill_for(priced.total.amount,
                                                                self.currency)):
                return await self._summarize(uow, checkout, changed=True)
            order, restaurant = await place_cart(
                uow, cart, checkout.delivery(), currency=self.currency,
                at=self._clock.now(), idempotency_key=key, menu=menu, restaurant=restaurant,
            )
            await uow.checkouts.delete(customer_id)
            await uow.tracking.save(order.id, tracking)
            await uow.commit()
        return just_placed(order, restaurant.name, tracking)

    async def _summarize(
        self, uow: UnitOfWork, checkout: Checkout, *, new_address: bool = False,
        changed: bool = False,
    ) -> Summary:
        """Prices the cart now, takes out dishes no longer available, and stores the summary
        under a new token. The draft is kept even when the cart turns out empty."""
        cart = await uow.carts.get(checkout.customer_id)
        menu = await uow.menu.get_many(cart.quantities)
        removed = cart.unavailable(menu)
        for item_id in removed:
            cart.remove(item_id)
        if removed:
            await uow.carts.save(cart)
        if cart.is_empty or cart.restaurant_id is None:
            await uow.checkouts.save(checkout)
            await uow.commit()
            raise EmptyCart()
        restaurant = await uow.restaurants.get(cart.restaurant_id)
        if restaurant is None:
            raise NotFound("restaurant", cart.restaurant_id)
        priced = cart.price(menu, self.currency)
        if restaurant.short_of_minimum(priced.total.amount):
            checkout.token = None  # no summary stands: "Place order" on an older one is stale
            await uow.checkouts.save(checkout)
            await uow.commit()
            restaurant.check_minimum(priced.total.amount, self.currency)
        bill = restaurant.bill_for(priced.total.amount, self.currency)
        before = {line.item_id: line.unit_price for line in checkout.snapshot}
        fee_before = checkout.delivery_fee
        checkout.summarize(priced, bill, self._tokens.new_token())
        await uow.checkouts.save(checkout)
        await uow.commit()
        return Summary(
            restaurant, priced, checkout, bill,
            fee_before=fee_before if fee_before not in (None, bill.delivery_fee) else None,
            removed=tuple(menu[item_id].name for item_id in removed if item_id in menu),
            price_changes=tuple(
                PriceChange(line.name, Money(before[line.item_id], self.currency),
                            Money(line.unit_price, self.currency))
                for line in priced.lines
                if before.get(line.item_id, line.unit_price) != line.unit_price
            ),
            changed=changed, new_address=new_address,
        )


async def _placed_before(uow: UnitOfWork, key: str) -> Placed | None:
    """The order an earlier press with the same key placed, if any."""
    existing = await uow.orders.get_by_idempotency_key(key)
    return None if existing is None else Placed(await order_view(uow, existing), created=False)


async def price_cart(
    uow: UnitOfWork, cart: Cart, currency: str, menu: dict[MenuItemId, MenuItem] | None = None
) -> PricedCart:
    """The cart priced from the menu as stored now (`menu`, when the caller has just read
    its dishes in this unit of work); refuses missing or unavailable dishes."""
    if cart.is_empty:
        raise EmptyCart()
    if menu is None:
        menu = await uow.menu.get_many(cart.quantities)
    return cart.price(menu, currency)


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
) -> tuple[Order, Restaurant]:
    """Writes the cart as a CREATED order with its first event and queue task, and empties it;
    returns the order and its restaurant. `menu` and `restaurant` (found open): the cart's
    dishes and restaurant, if just read. Refuses a closed restaurant, and dishes below its
    minimum order (BelowMinimum).

    Runs inside the caller's unit of work; the caller commits.
    """
    priced = await price_cart(uow, cart, currency, menu)
    if restaurant is None or restaurant.id != priced.restaurant_id:
        restaurant = await open_restaurant(uow, priced.restaurant_id)
    dishes = priced.total.amount
    restaurant.check_minimum(dishes, currency)
    order = Order.place(
        customer_id=cart.customer_id, restaurant_id=restaurant.id, items=priced.order_items(),
        currency=currency, delivery=delivery, at=at, idempotency_key=idempotency_key,
        delivery_fee=restaurant.delivery_fee_for(dishes),
    )
    await uow.orders.add(order)
    await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, order.id, at))
    cart.clear()
    await uow.carts.save(cart)
    return order, restaurant
