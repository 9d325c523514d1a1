"""The benchmark's world: an accelerated clock, restaurants, customers and partners, orders
placed in bulk, and the simulated partners (its databases: bench/bench_database.py).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.errors import DomainError
from domain.ids import OrderId, RestaurantId, UserId
from domain.messages import Kind
from domain.orders import DeliveryDetails, Order, OrderItem
from domain.pipeline.actions import Presses
from domain.tasks import NewTask, TaskKind
from storage import mapping
from storage.sql import (
    CUSTOMERS,
    MENU_ITEMS,
    ORDER_EVENTS,
    ORDER_ITEMS,
    ORDERS,
    OUTBOX,
    PARTNERS,
    RESTAURANTS,
    TASKS,
)

T0 = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)
PLACE_CHUNK = 1000
PRESS_CHUNK = 2000  # offers read from the outbox per round
PRESSING = 64  # presses in flight at once: partners pressing at the same moment
LATE_EVERY_S, LATE_WITHIN_S = 0.25, 1.0  # several instances: offers that commit out of order
R = TypeVar("R")


class AcceleratedClock:
    """Fake time that runs `speed` times faster than the wall clock, from T0 at `origin` (a
    wall-clock time, so that worker processes share it; now, unless given)."""

    def __init__(self, speed: float, origin: float | None = None) -> None:
        self.speed = speed
        self.origin = time.time() if origin is None else origin

    def now(self) -> datetime:
        return T0 + timedelta(seconds=(time.time() - self.origin) * self.speed)


@dataclass
class Partners:
    """The simulated partners: they answer offers at once, and deliver the moment they pick up.

    Each press is one call of the entry point a partner's button calls (`Presses.accept_offer`,
    `picked_up`, `delivered`). Two ways to act: `look` (the pipeline running side by side with
    them) starts a journey of its own for each new offer, as partners in their own chats press
    whatever the others are doing: accept, pick up once the food is ready, deliver; `act`
    (worker and partners in turn) is a round, `PRESSING` presses in flight at once, each kind
    of press waiting for the round's last of the kind before it.

    The offers are read from the outbox after the last one read (`cursor`). With several
    instances, two workers write offers at once, and on PostgreSQL a row whose id was drawn
    first may commit last, below the cursor already: so every `LATE_EVERY_S` the ids drawn
    within the last `LATE_WITHIN_S` are read again, and what was read before is skipped
    (`seen`). (The bot's sender claims unsent rows whatever their ids; only this reader
    goes by id. On SQLite the one writer commits in the order it draws ids.)
    """

    actions: Presses
    clock: AcceleratedClock
    share: tuple[int, int] = (0, 1)  # this instance's partners: id % count == index
    cursor: int = 0
    seen: set[int] = field(default_factory=set)  # offers read that a late look may read again
    cursors: collections.deque[tuple[float, int]] = field(default_factory=collections.deque)
    ticks: Callable[[], float] = time.monotonic  # seconds, for the late look's pace
    waiting: dict[OrderId, tuple[UserId, datetime]] = field(default_factory=dict)
    refused: int = 0
    delivered: int = 0  # by the journeys `look` started, since it last said
    journeys: set[asyncio.Task[None]] = field(default_factory=set)

    async def look(self, sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
        """Starts a journey for each offer sent since the last look; returns how many offers
        were new, and how many journeys were delivered since the last look."""
        for task in [t for t in self.journeys if t.done()]:
            self.journeys.discard(task)
            task.result()  # a journey that failed fails the run
        offers = await self.new_offers(sessions)
        for order_id, partner_id in offers:
            self.journeys.add(asyncio.ensure_future(self._journey(order_id, partner_id)))
        delivered, self.delivered = self.delivered, 0
        return len(offers), delivered

    async def _journey(self, order_id: OrderId, partner_id: UserId) -> None:
        if not await self._accept(order_id, partner_id):
            return
        ready_in = (self.waiting[order_id][1] - self.clock.now()).total_seconds()
        if ready_in > 0:  # the kitchen's preparation time, in wall seconds: not a wait for
            await asyncio.sleep(ready_in / self.clock.speed)  # anything the run does
        done = await self._deliver(order_id, partner_id)  # (`+= await` would add to the
        self.delivered += done  # count as it was before the await)

    async def act(self, sessions: async_sessionmaker[AsyncSession]) -> int:
        """One round: accept new offers, pick up what is ready, deliver it; returns deliveries."""
        await pressing(self._accept, await self.new_offers(sessions))
        now = self.clock.now()
        ready = [(o, p) for o, (p, at) in self.waiting.items() if at <= now]
        delivered = await pressing(self._deliver, ready)
        return sum(delivered)

    async def _accept(self, order_id: OrderId, partner_id: UserId) -> int:
        try:
            taken = await self.actions.accept_offer(order_id, partner_id)
        except DomainError:
            self.refused += 1
            return 0
        self.waiting[order_id] = (partner_id, taken.ready_at or T0)
        return 1

    async def _deliver(self, order_id: OrderId, partner_id: UserId) -> int:
        try:
            await self.actions.picked_up(order_id, partner_id)
            await self.actions.delivered(order_id, partner_id)
        except DomainError:
            self.refused += 1
            return 0
        del self.waiting[order_id]
        return 1


    async def new_offers(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> list[tuple[OrderId, UserId]]:
        """The offers sent since last time, read as the bot's sender would."""
        before = self.cursor
        rows = await self._offers(sessions, OUTBOX.c.id > before)
        if rows:
            self.cursor = rows[-1][0]
        if self.share[1] > 1:
            rows += await self._late(sessions, before)
            new = []
            for row in rows:  # the late look reads this look's rows again too
                if row[0] not in self.seen:
                    self.seen.add(row[0])
                    new.append(row)
            rows = new
        return [(OrderId(payload["order_id"]), UserId(chat)) for _, chat, payload in rows]

    async def _late(self, sessions: async_sessionmaker[AsyncSession], before: int) -> list[Any]:
        """Offers committed below the cursor since it passed their ids, looked for every
        `LATE_EVERY_S` above the cursor as it stood `LATE_WITHIN_S` ago (`before`: as it stood
        before this look's read)."""
        now = self.ticks()
        if self.cursors and now - self.cursors[-1][0] < LATE_EVERY_S:
            return []
        self.cursors.append((now, before))
        while len(self.cursors) > 1 and now - self.cursors[1][0] >= LATE_WITHIN_S:
            self.cursors.popleft()
        low = self.cursors[0][1]
        self.seen = {i for i in self.seen if i > low}  # what no look reads again
        return await self._offers(sessions, OUTBOX.c.id > low, OUTBOX.c.id <= self.cursor)

    async def _offers(
        self, sessions: async_sessionmaker[AsyncSession], *where: ColumnElement[bool]
    ) -> list[Any]:
        stmt = (
            select(OUTBOX.c.id, OUTBOX.c.chat_id, OUTBOX.c.payload)
            .where(*where, OUTBOX.c.kind == Kind.OFFER.value)
            .order_by(OUTBOX.c.id)
            .limit(4 * PRESS_CHUNK)
        )
        index, count = self.share
        if count > 1:
            stmt = stmt.where(OUTBOX.c.chat_id % count == index)
        async with sessions() as session:
            return list((await session.execute(stmt)).all())


async def pressing(
    press: Callable[[OrderId, UserId], Awaitable[R]], pairs: Sequence[tuple[OrderId, UserId]]
) -> list[R]:
    """Runs one press per pair, `PRESSING` at a time; their answers, in order."""
    gate = asyncio.Semaphore(PRESSING)

    async def one(order_id: OrderId, partner_id: UserId) -> R:
        async with gate:
            return await press(order_id, partner_id)

    return list(await asyncio.gather(*(one(o, p) for o, p in pairs)))


async def seed(
    sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace
) -> tuple[list[tuple[RestaurantId, list[OrderItem]]], int]:
    """Restaurants without managers, three dishes each, customers and online partners."""
    now = T0
    async with sessions() as session, session.begin():
        await session.execute(insert(RESTAURANTS), [
            {"name": f"Kitchen {n}", "address": f"{n} MG Road", "is_open": True,
             "prep_minutes": args.prep_minutes, "manager_chat_id": None,
             "created_at": now, "updated_at": now}
            for n in range(args.restaurants)
        ])
        kitchens = [r for (r,) in await session.execute(select(RESTAURANTS.c.id))]
        await session.execute(insert(MENU_ITEMS), [
            {"restaurant_id": r, "name": f"Dish {d}", "price": 10000 + 500 * d,
             "available": True, "description": "", "category": "Menu"}
            for r in kitchens for d in range(3)
        ])
        customers = args.orders if args.placing == "chat" else min(args.orders, 5000)
        await session.execute(insert(CUSTOMERS), [
            {"id": 100_000 + c, "name": f"Customer {c}", "created_at": now}
            for c in range(customers)
        ])
        await session.execute(insert(PARTNERS), [
            {"id": 5_000_000 + p, "name": f"Rider {p}", "status": "APPROVED", "online": True,
             "active_order_id": None, "idle_since": now - timedelta(seconds=p), "created_at": now}
            for p in range(args.partners)
        ])
        menu: dict[int, list[OrderItem]] = {}
        for row in await session.execute(select(MENU_ITEMS)):
            menu.setdefault(row.restaurant_id, []).append(
                OrderItem(row.id, row.name, row.price, 1)
            )
    return [(RestaurantId(r), menu[r]) for r in kitchens], customers


async def place(
    sessions: async_sessionmaker[AsyncSession], clock: AcceleratedClock, n: int,
    kitchens: list[tuple[RestaurantId, list[OrderItem]]], customers: int,
) -> None:
    """N orders stored as checkout stores them (`Order.place`: the order, its items, its first
    event and its confirm task), a chunk per transaction: setting the scene, not measured
    against the chat's placing path."""
    rng = random.Random(5)
    home = DeliveryDetails("12 Residency Road, Bengaluru", 12.97, 77.6, None, "")
    for start in range(0, n, PLACE_CHUNK):
        now = clock.now()
        orders = []
        for i in range(start, min(n, start + PLACE_CHUNK)):
            restaurant, dishes = kitchens[i % len(kitchens)]
            items = tuple(rng.sample(dishes, 2))
            orders.append(Order.place(
                customer_id=UserId(100_000 + i % customers), restaurant_id=restaurant,
                items=items, currency="INR", delivery=home, at=now,
            ))
        async with sessions() as session, session.begin():
            # one multi-row INSERT per chunk: ids come in the rows' order on both databases
            ids = (await session.execute(
                insert(ORDERS).returning(ORDERS.c.id),
                [mapping.order_values(order) for order in orders],
            )).scalars().all()
            for order, order_id in zip(orders, sorted(ids), strict=True):
                order.bind_id(OrderId(order_id))
            await session.execute(insert(ORDER_ITEMS), [
                row for order in orders for row in mapping.order_item_values(order.id, order.items)
            ])
            await session.execute(insert(ORDER_EVENTS), [
                mapping.event_values(event) for order in orders for event in order.new_events
            ])
            await session.execute(insert(TASKS), [
                mapping.task_values(NewTask(TaskKind.CONFIRM_ORDER, order.id, now))
                for order in orders
            ])
