"""A checkout's summary: drawn afresh under a new token, and checked to still stand when the
customer acts on it (✅ Place order, 💳 Pay now, the payment itself)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.cart import Cart, LineKey, PricedCart
from domain.checkout import Checkout
from domain.errors import EmptyCart, NotFound, RestaurantClosed
from domain.ids import MenuItemId
from domain.money import Money
from domain.options import label, line_name
from domain.ports import Clock, TokenSource, UnitOfWork
from domain.promos import PromoProblem
from domain.restaurants import MenuItem, Restaurant
from domain.services.billing import Billed, bill_checkout
from domain.services.openings import RiderCount, estimated, open_restaurant
from domain.slots import first_slot, fits
from domain.views import PriceChange, PromoNote, Summary


@dataclass(frozen=True)
class Standing:
    """A checkout whose summary still stands: what placing it needs, read in one unit of work."""

    checkout: Checkout
    cart: Cart
    menu: dict[MenuItemId, MenuItem]
    priced: PricedCart
    restaurant: Restaurant  # open
    billed: Billed


class Summaries:
    def __init__(self, clock: Clock, tokens: TokenSource, currency: str,
                 timer: Callable[[], float] | None = None) -> None:
        self._clock = clock
        self._tokens = tokens
        self.currency = currency
        # for the estimates, shared with the placings; its age on `timer` (RiderCount)
        self.riders = RiderCount(clock, timer=timer)

    async def still_stands(self, uow: UnitOfWork, checkout: Checkout) -> Standing | None:
        """The checkout's cart, priced and billed now, if it is exactly what its summary
        showed (its delivery slot too); None when anything changed. Refuses an empty cart
        (EmptyCart) and, for an order for now, a closed restaurant (RestaurantClosed)."""
        cart = await uow.carts.get(checkout.customer_id)
        menu = await uow.menu.get_many(cart.quantities)
        if cart.unavailable(menu) or cart.over_stock(menu):
            return None
        priced = cart.price(menu, self.currency)
        now, slot = self._clock.now(), checkout.deliver_at
        if slot is None:
            restaurant = await open_restaurant(uow, priced.restaurant_id, now)
        else:
            found = await uow.restaurants.get(priced.restaurant_id)
            if found is None or not fits(found, slot, now):
                return None
            restaurant = found
        billed = await bill_checkout(uow, checkout, restaurant, priced, now)
        if not checkout.matches(priced, billed.bill):
            return None
        return Standing(checkout, cart, menu, priced, restaurant, billed)

    async def summarize(
        self, uow: UnitOfWork, checkout: Checkout, *, new_address: bool = False,
        changed: bool = False, unknown_code: str | None = None,
    ) -> Summary:
        """Prices the cart now, takes out dishes no longer available, and stores the summary
        under a new token; commits. The draft is kept even when the cart turns out empty."""
        cart = await uow.carts.get(checkout.customer_id)
        menu = await uow.menu.get_many(cart.quantities)
        removed, short = cart.unavailable(menu), cart.over_stock(menu)
        for key in removed:
            cart.remove(key)
        for item_id, left in short.items():  # all that is left of it, not more
            cart.limit(item_id, left)
        if removed or short:
            await uow.carts.save(cart)
        if cart.is_empty or cart.restaurant_id is None:
            await uow.checkouts.save(checkout)
            await uow.commit()
            raise EmptyCart()
        restaurant = await uow.restaurants.get(cart.restaurant_id)
        if restaurant is None:
            raise NotFound("restaurant", cart.restaurant_id)
        slot_gone = await self._keep_to_slots(uow, checkout, restaurant)
        priced = cart.price(menu, self.currency)
        if restaurant.short_of_minimum(priced.total.amount):
            checkout.token = None  # no summary stands: "Place order" on an older one is stale
            await uow.checkouts.save(checkout)
            await uow.commit()
            restaurant.check_minimum(priced.total.amount, self.currency)
        billed = await bill_checkout(uow, checkout, restaurant, priced, self._clock.now())
        bill, promo = billed.bill, billed.note
        if unknown_code is not None:
            promo = PromoNote(unknown_code, 0, PromoProblem.UNKNOWN)
        now = self._clock.now()
        eta = await estimated(uow, restaurant, self.riders, checkout.latitude,
                              checkout.longitude)
        before = {LineKey(line.item_id, line.options): line.unit_price
                  for line in checkout.snapshot}
        fee_before = checkout.delivery_fee
        checkout.summarize(priced, bill, self._tokens.new_token())
        await uow.checkouts.save(checkout)
        await uow.commit()
        return Summary(
            restaurant, priced, checkout, bill,
            fee_before=fee_before if fee_before not in (None, bill.delivery_fee) else None,
            promo=promo, expected_at=checkout.deliver_at or eta.arrives(now), estimate=eta,
            slot_gone=slot_gone, open_now=restaurant.open_at(now),
            customer_zone=checkout.customer_zone,
            removed=tuple(dict.fromkeys(menu[key.item_id].name for key in removed
                                        if key.item_id in menu)),
            short=tuple((menu[item_id].name, left) for item_id, left in short.items()),
            price_changes=tuple(
                PriceChange(line_name(line.name, label(line.options)),
                            Money(before[line.key], self.currency),
                            Money(line.unit_price, self.currency))
                for line in priced.lines
                if before.get(line.key, line.unit_price) != line.unit_price
            ),
            changed=changed, new_address=new_address,
        )

    async def _keep_to_slots(self, uow: UnitOfWork, checkout: Checkout,
                             restaurant: Restaurant) -> datetime | None:
        """Drops a chosen slot the restaurant no longer delivers at (returned, to say so), and
        gives a checkout for a closed restaurant its first slot; none at all: RestaurantClosed
        (the draft kept)."""
        now, slot = self._clock.now(), checkout.deliver_at
        gone = slot if slot is not None and not fits(restaurant, slot, now) else None
        if gone is not None:
            checkout.deliver_at = None
        opening = restaurant.opening(now)
        if checkout.deliver_at is None and not opening.open:
            checkout.deliver_at = first_slot(restaurant, now)
            if checkout.deliver_at is None:
                checkout.token = None
                await uow.checkouts.save(checkout)
                await uow.commit()
                raise RestaurantClosed(restaurant.name, opening.opens_at)
        return gone
