"""Checkout as use cases: address, note, promo code, summary, and placing exactly the order shown.

This is the one way an order is placed (DESIGN.md §3): `place`, which places the presses
made at the same moment together (domain.services.placing) and any other the one-order way,
`place_cart`.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.checkout import Checkout, CheckoutStep, order_key
from domain.customers import Customer
from domain.errors import (
    DuplicateOrder,
    EmptyCart,
    InvalidInput,
    NotYourContact,
    OutOfStock,
    StaleSummary,
)
from domain.group_commit import Line
from domain.ids import UserId
from domain.ports import Clock, TokenSource, UnitOfWork, UnitOfWorkFactory
from domain.promos import normalize_code
from domain.services.openings import taking_orders
from domain.services.orders import order_view
from domain.services.placing import (
    ALONE,
    PlaceRequest,
    PromoTaken,
    just_placed,
    place_batch,
    place_cart,
)
from domain.services.summaries import Summaries
from domain.views import Placed, Summary, TrackingMessage, cart_view


class CheckoutService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, currency: str, tokens: TokenSource,
        timer: Callable[[], float] | None = None,
    ) -> None:
        """`timer` (seconds, never going back) ages the riders' count the estimates use
        (domain.services.openings.RiderCount); `clock` does when it is None."""
        self._uow = uow_factory
        self._clock = clock
        self.currency = currency
        self.summaries = Summaries(clock, tokens, currency, timer)
        self._line: Line[UnitOfWork, PlaceRequest] = Line(uow_factory, self._batch, tries=1)

    async def start(self, customer_id: UserId) -> None:
        """Begins checkout, or goes back to its address step keeping the note; any summary
        shown before is out of date from now on. Refuses an empty cart or a closed restaurant."""
        async with self._uow() as uow:
            cart = await uow.carts.get(customer_id)
            if cart.is_empty or cart.restaurant_id is None:
                raise EmptyCart()
            restaurant = await taking_orders(uow, cart.restaurant_id, self._clock.now())
            if restaurant.min_order:
                menu = await uow.menu.get_many(cart.quantities)
                dishes = cart_view(cart, menu, restaurant, self.currency).total
                restaurant.check_minimum(dishes.amount, self.currency)
            draft = await uow.checkouts.get(customer_id)
            known = await uow.customers.get(customer_id)
            note = draft.note if draft is not None else ""
            phone = draft.phone if draft is not None and draft.phone else None
            phone = phone or (known.phone if known is not None else None)
            code = draft.promo_code if draft is not None else None
            slot = draft.deliver_at if draft is not None else None
            await uow.checkouts.save(Checkout(customer_id, note=note, phone=phone,
                                              promo_code=code, deliver_at=slot))
            await uow.commit()

    async def cancel(self, customer_id: UserId) -> bool:
        """Ends checkout, keeping the cart; False when none was in progress."""
        async with self._uow() as uow:
            found = await uow.checkouts.get(customer_id) is not None
            await uow.checkouts.delete(customer_id)
            await uow.commit()
        return found

    async def receive_text(self, customer_id: UserId, text: str) -> Summary | None:
        """A typed message during checkout: the address, or once it is known, the note, or
        after 🏷 Promo code, the code. None when the customer is not checking out.
        """
        async with self._uow() as uow:
            checkout = await uow.checkouts.get(customer_id)
            if checkout is None:
                return None
            if checkout.step == CheckoutStep.PROMO:
                return await self._take_code(uow, checkout, text)
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

    async def ask_promo(self, customer_id: UserId) -> None:
        """🏷 Promo code on a summary: the next typed text is the code."""
        async with self._uow() as uow:
            checkout = await uow.checkouts.get(customer_id)
            if checkout is None or checkout.step == CheckoutStep.ADDRESS:
                raise StaleSummary()
            checkout.step = CheckoutStep.PROMO
            await uow.checkouts.save(checkout)
            await uow.commit()

    async def remove_promo(self, customer_id: UserId) -> Summary:
        """Takes the promo code off: a new summary without it."""
        async with self._uow() as uow:
            checkout = await uow.checkouts.get(customer_id)
            if checkout is None or checkout.step == CheckoutStep.ADDRESS:
                raise StaleSummary()
            checkout.step, checkout.promo_code = CheckoutStep.CONFIRM, None
            return await self._summarize(uow, checkout)

    async def _take_code(self, uow: UnitOfWork, checkout: Checkout, text: str) -> Summary:
        """A code that exists is kept (the summary says whether it applies); any other
        text is not, and the summary says there is no such code."""
        checkout.step = CheckoutStep.CONFIRM
        try:
            code = normalize_code(text)
        except InvalidInput:
            return await self._summarize(uow, checkout, unknown_code=text.strip()[:20])
        if await uow.promos.get(code) is None:
            return await self._summarize(uow, checkout, unknown_code=code)
        checkout.promo_code = code
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
        await place_batch(uow, batch, self.currency, self._clock.now(), self.summaries.riders)

    async def _place(
        self, customer_id: UserId, token: int, key: str, tracking: TrackingMessage
    ) -> Placed | Summary:
        """The one-order way: any press a batch does not place (domain.services.placing)."""
        try:
            return await self._place_alone(customer_id, token, key, tracking)
        except (PromoTaken, OutOfStock):  # another order took the code's last use, or the
            # dish's last portions, meanwhile: nothing placed, a new summary says so
            async with self._uow() as uow:
                checkout = await uow.checkouts.get(customer_id)
                if checkout is None:
                    raise StaleSummary() from None
                return await self._summarize(uow, checkout, changed=True)

    async def _place_alone(
        self, customer_id: UserId, token: int, key: str, tracking: TrackingMessage
    ) -> Placed | Summary:
        async with self._uow() as uow:
            placed = await _placed_before(uow, key)
            if placed is not None:
                return placed
            checkout = await uow.checkouts.get(customer_id)
            if checkout is None or checkout.token != token:
                raise StaleSummary()
            standing = await self.summaries.still_stands(uow, checkout)
            if standing is None:
                return await self._summarize(uow, checkout, changed=True)
            order, restaurant = await place_cart(
                uow, standing.cart, checkout.delivery(), currency=self.currency,
                at=self._clock.now(), idempotency_key=key, menu=standing.menu,
                restaurant=standing.restaurant, discount=standing.billed.bill.discount,
                promo=standing.billed.promo, deliver_at=checkout.deliver_at,
                riders=self.summaries.riders,
            )
            await uow.checkouts.delete(customer_id)
            await uow.tracking.save(order.id, tracking)
            await uow.commit()
        return just_placed(order, restaurant, tracking, checkout.customer_zone)

    async def _summarize(
        self, uow: UnitOfWork, checkout: Checkout, *, new_address: bool = False,
        changed: bool = False, unknown_code: str | None = None,
    ) -> Summary:
        return await self.summaries.summarize(uow, checkout, new_address=new_address,
                                              changed=changed, unknown_code=unknown_code)


async def _placed_before(uow: UnitOfWork, key: str) -> Placed | None:
    """The order an earlier press with the same key placed, if any."""
    existing = await uow.orders.get_by_idempotency_key(key)
    return None if existing is None else Placed(await order_view(uow, existing), created=False)
