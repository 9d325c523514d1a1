"""The benchmark's customers: at checkout's summary, then pressing "Place order"."""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline_world import PLACE_CHUNK  # the benchmark's own helpers, next to this file
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.cart import Cart
from domain.checkout import Checkout
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.orders import OrderItem
from domain.ports import Clock
from domain.services.checkout import CheckoutService
from domain.views import Placed, TrackingMessage
from storage.uow import uow_factory

PLACING = 64  # "Place order" presses in flight at once under closed load


class Tokens:
    def new_token(self) -> int:
        return secrets.randbits(62) or 1


async def at_checkout(
    sessions: async_sessionmaker[AsyncSession], n: int,
    kitchens: list[tuple[RestaurantId, list[OrderItem]]],
) -> list[tuple[UserId, int]]:
    """N customers looking at their summary: two dishes in the cart, an address, and the token
    their "Place order" button carries; written through the repositories the chat's own steps
    use, a chunk per transaction. Setting the scene: only the press on "Place order" is
    measured. Returns (customer, token) pairs."""
    rng = random.Random(5)
    uows = uow_factory(sessions)
    async with uows() as uow:
        menu = await uow.menu.get_many(
            [MenuItemId(item.item_id) for _, dishes in kitchens for item in dishes])
        restaurants = await uow.restaurants.get_many([rid for rid, _ in kitchens])
    for start in range(0, n, PLACE_CHUNK):
        async with uows() as uow:
            for i in range(start, min(n, start + PLACE_CHUNK)):
                customer = UserId(100_000 + i)
                kitchen, dishes = kitchens[i % len(kitchens)]
                cart = Cart(customer)
                for dish in rng.sample(dishes, 2):
                    cart.add(menu[MenuItemId(dish.item_id)])
                checkout = Checkout(customer)
                checkout.set_location(12.97, 77.6)  # shared from the chat
                priced = cart.price(menu, "INR")
                bill = restaurants[kitchen].bill_for(priced.total.amount, "INR")
                checkout.summarize(priced, bill, i + 1)
                await uow.carts.save(cart)
                await uow.checkouts.save(checkout)
            await uow.commit()
    return ready_pairs(n)


def ready_pairs(n: int, share: tuple[int, int] = (0, 1)) -> list[tuple[UserId, int]]:
    """The (customer, token) pairs `at_checkout` set up, or one instance's share of them."""
    index, count = share
    return [(UserId(100_000 + i), i + 1) for i in range(index, n, count)]


@dataclass
class Customers:
    """The customers pressing "Place order": one `CheckoutService.place` call each, the
    entry point the button calls. Closed load (`rate` 0): all of them, `PLACING` in flight at
    once. Open load: one press every 1/`rate` seconds, each on its own, whether or not the
    earlier ones are done, as customers arrive."""

    checkout: CheckoutService
    rate: float = 0.0
    placed: int = 0
    refused: int = 0
    finished: float | None = None  # perf_counter when the last press was answered

    @classmethod
    def of(cls, sessions: async_sessionmaker[AsyncSession], clock: Clock,
           rate: float = 0.0) -> Customers:
        """Customers pressing through the checkout `foodbot run` wires: on `clock` (the
        benchmark's, fast), with the riders' count aged in seconds as the bot ages it."""
        return cls(CheckoutService(uow_factory(sessions), clock, "INR", Tokens(),
                                   timer=time.monotonic), rate)

    async def press_all(self, ready: Sequence[tuple[UserId, int]]) -> None:
        if not self.rate:
            presses = iter(ready)

            async def pressing() -> None:  # one of PLACING presses in flight at a time
                for customer, token in presses:
                    await self._place(customer, token)

            await asyncio.gather(*(pressing() for _ in range(PLACING)))
            self.finished = time.perf_counter()
            return
        started, pressing = time.perf_counter(), []
        for i, (customer, token) in enumerate(ready):
            delay = started + i / self.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # the arrival schedule, not a wait for anything
            pressing.append(asyncio.ensure_future(self._place(customer, token)))
        await asyncio.gather(*pressing)
        self.finished = time.perf_counter()

    async def _place(self, customer: UserId, token: int) -> None:
        placed = await self.checkout.place(customer, token, TrackingMessage(customer, token))
        if isinstance(placed, Placed) and placed.created:
            self.placed += 1
        else:
            self.refused += 1
