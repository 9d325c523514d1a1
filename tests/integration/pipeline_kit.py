"""Helpers for the pipeline's integration tests (no tests here): a kitchen, partners, orders
stored as checkout stores them (its dishes as they were, even ones gone since), and readers of
what the pipeline wrote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.customers import Customer
from domain.ids import MenuItemId, OrderId, RestaurantId, UserId
from domain.orders import Order, OrderEvent, OrderItem, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.actions import Presses
from domain.pipeline.model import Handler, PipelineConfig
from domain.pipeline.steps import HANDLERS
from domain.pipeline.worker import PipelineWorker
from domain.restaurants import MenuItem, Restaurant
from domain.retry import RetryPolicy
from domain.tasks import NewTask, TaskKind
from storage.pipeline.sql import OFFERS
from storage.pipeline.store import SqlPipelineStore
from storage.sql import OUTBOX, PARTNERS, TASKS
from storage.uow import uow_factory
from tests.integration.builders import HOME, T0, FixedClock

CUSTOMER = UserId(2001)
ADMINS = frozenset({9001, 9002})
MANAGER_CHAT = -100777
CONFIG = PipelineConfig(
    offer_timeout_s=60, no_partner_alert_after_s=300, dispatch_max_wait_s=30,
    admin_ids=ADMINS, batch_size=50, lease_s=30,
)
POLICY = RetryPolicy(max_attempts=3, base_delay_s=1, max_delay_s=60, jitter=0.2)


def partner_id(n: int) -> UserId:
    return UserId(7_000_000_000 + n)


@dataclass
class Kitchen:
    """A restaurant, its dishes, and what the tests need to drive the pipeline."""

    sessions: async_sessionmaker[AsyncSession]
    clock: FixedClock
    restaurant: Restaurant
    dishes: tuple[MenuItem, ...]
    config: PipelineConfig = CONFIG
    policy: RetryPolicy = POLICY
    workers: int = field(default=0)

    @property
    def actions(self) -> Presses:
        return Presses(SqlPipelineStore(self.sessions), self.clock)

    def worker(self, handlers: Mapping[str, Handler] = HANDLERS) -> PipelineWorker:
        self.workers += 1
        return PipelineWorker(
            SqlPipelineStore(self.sessions), self.clock, self.policy, self.config,
            f"worker-{self.workers}", rng=lambda: 0.5, handlers=handlers,
        )

    async def place(self, customer: UserId = CUSTOMER, quantity: int = 1) -> OrderId:
        """A CREATED order with its first event and its confirm task, in one transaction."""
        uows = uow_factory(self.sessions)
        items = tuple(OrderItem(d.id, d.name, d.price, quantity) for d in self.dishes)
        order = Order.place(
            customer_id=customer, restaurant_id=self.restaurant.id, items=items,
            currency="INR", delivery=HOME, at=self.clock.now(),
        )
        async with uows() as uow:
            await uow.orders.add(order)
            await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, order.id, self.clock.now()))
            await uow.commit()
        return order.id

    async def add_partners(
        self, count: int, *, online: bool = True, start: int = 1
    ) -> list[UserId]:
        """Approved partners; the first added has been idle longest."""
        ids = [partner_id(n) for n in range(start, start + count)]
        async with uow_factory(self.sessions)() as uow:
            for rank, pid in enumerate(ids):
                idle = T0 - timedelta(minutes=count - rank)
                await uow.partners.save(
                    Partner(pid, f"Rider {pid % 1000}", PartnerStatus.APPROVED, online,
                            idle_since=idle)
                )
            await uow.commit()
        return ids

    async def set_online(self, pid: UserId, online: bool) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                PARTNERS.update().where(PARTNERS.c.id == pid).values(online=online)
            )

    async def order(self, order_id: OrderId) -> tuple[OrderStatus, UserId | None]:
        async with uow_factory(self.sessions)() as uow:
            found = await uow.orders.get(order_id)
        assert found is not None
        return found.status, found.partner_id

    async def history(self, order_id: OrderId) -> list[OrderEvent]:
        async with uow_factory(self.sessions)() as uow:
            return list(await uow.orders.history(order_id))

    async def statuses(self, order_id: OrderId) -> list[OrderStatus]:
        return [event.to_status for event in await self.history(order_id)]

    async def outbox(self) -> list[dict[str, Any]]:
        """Every outbox row, oldest first, as {chat, kind, **payload}."""
        async with self.sessions() as session:
            rows = await session.execute(select(OUTBOX).order_by(OUTBOX.c.id))
            return [{"chat": r.chat_id, "kind": r.kind, **r.payload} for r in rows]

    async def kinds(self, chat: int | None = None) -> Counter[str]:
        return Counter(m["kind"] for m in await self.outbox() if chat in (None, m["chat"]))

    async def offers(self, order_id: OrderId) -> list[tuple[UserId, str]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(OFFERS.c.partner_id, OFFERS.c.state)
                .where(OFFERS.c.order_id == order_id).order_by(OFFERS.c.offered_at)
            )
            return [(UserId(p), state) for p, state in rows]

    async def partner(self, pid: UserId) -> tuple[OrderId | None, Any]:
        async with self.sessions() as session:
            row = (await session.execute(
                select(PARTNERS.c.active_order_id, PARTNERS.c.idle_since)
                .where(PARTNERS.c.id == pid)
            )).one()
            return row[0], row[1]

    async def tasks(self) -> list[dict[str, Any]]:
        async with self.sessions() as session:
            rows = await session.execute(select(TASKS).order_by(TASKS.c.id))
            return [dict(r._mapping) for r in rows]


async def open_kitchen(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock, *,
    manager: int | None = None, prep_minutes: int = 15, is_open: bool = True,
    dishes: Sequence[tuple[str, int, bool]] = (("Ghee Roast Dosa", 12000, True),),
) -> Kitchen:
    """A restaurant (with a manager chat, or without), its dishes, and customer 2001."""
    uows: Callable[[], Any] = uow_factory(sessions)
    async with uows() as uow:
        restaurant = await uow.restaurants.add(Restaurant(
            RestaurantId(0), "Meghana Foods", "Residency Road, Bengaluru", is_open=is_open,
            prep_minutes=prep_minutes, manager_chat_id=manager,
        ))
        items = []
        for name, price, available in dishes:
            items.append(await uow.menu.add(
                MenuItem(MenuItemId(0), restaurant.id, name, price, available=available)
            ))
        await uow.customers.save(Customer(CUSTOMER, "Asha"))
        await uow.commit()
    return Kitchen(sessions, clock, restaurant, tuple(items))
