"""What the admin console needs from storage, and how its audit entries name their targets.

The protocols extend the ones in domain/ports.py with what only admins read: the audit log,
the latest orders, the dead-lettered tasks and the facts behind /stats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.audit import AuditEntry as AuditEntry  # re-exported: where admin code finds it
from domain.ids import OrderId, RestaurantId, TaskId
from domain.invites import InviteCodes
from domain.orders import Order, OrderStatus
from domain.payments import Payments
from domain.ports import (
    CustomerRepository,
    Lines,
    MenuRepository,
    OrderRepository,
    Outbox,
    PartnerRepository,
    RestaurantRepository,
    Transaction,
)
from domain.promos import Promos
from domain.stats import HourTotals, RefundFact


class AuditLog(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...
    async def latest(self, limit: int, *, before: int | None = None,
                     after: int | None = None) -> Sequence[AuditEntry]:
        """A keyset page of the log by id (domain.paging)."""
        ...
    async def count(self) -> int: ...


class AdminOrders(OrderRepository, Protocol):
    async def waiting_for_slot(self, restaurant_id: RestaurantId) -> Sequence[Order]:
        """The restaurant's orders for a slot that the queue has not started yet."""
        ...

    async def latest(self, limit: int, status: OrderStatus | None, *,
                     before: int | None = None, after: int | None = None) -> Sequence[Order]:
        """A keyset page by id (domain.paging) of the orders (of `status`, if given)."""
        ...


@dataclass(frozen=True, slots=True)
class DeadTask:
    """A task the queue gave up on."""

    id: TaskId
    kind: str
    order_id: OrderId | None
    attempts: int
    last_error: str | None
    finished_at: datetime | None


class DeadLetters(Protocol):
    async def latest(self, limit: int, *, before: int | None = None,
                     after: int | None = None) -> Sequence[DeadTask]:
        """A keyset page by id (domain.paging) of the dead tasks."""
        ...

    async def get(self, task_id: TaskId) -> DeadTask | None:
        """The task if it exists and is dead."""
        ...

    async def exists(self, task_id: TaskId) -> bool: ...

    async def revive(self, task_id: TaskId, now: datetime) -> bool:
        """Back in the queue, due now, with a fresh attempt count; False unless it was dead."""
        ...


class StatsSource(Protocol):
    async def totals(self, starts: Sequence[datetime]) -> Sequence[HourTotals]:
        """The orders placed at or after the first of `starts` (hours' starts), summed by hour
        and status: as kept for the finished ones, as they are for those under way; one
        moment's. Their delivery minutes are summed from each start to the next."""
        ...

    async def partners_online(self) -> int:
        """Approved partners who are online now."""
        ...

    async def refund_facts(self, since: datetime) -> Sequence[RefundFact]:
        """The refunds recorded due at or after `since`."""
        ...


class AdminUnitOfWork(Transaction, Protocol):
    restaurants: RestaurantRepository
    orders: AdminOrders
    customers: CustomerRepository
    menu: MenuRepository
    partners: PartnerRepository
    outbox: Outbox
    invites: InviteCodes
    audit: AuditLog
    dead_letters: DeadLetters
    stats: StatsSource
    promos: Promos
    payments: Payments
    lines: Lines


AdminUowFactory = Callable[[], AdminUnitOfWork]


def order_target(order_id: int) -> str:
    return f"order #{order_id}"


def restaurant_target(restaurant_id: int) -> str:
    return f"restaurant #{restaurant_id}"


def item_target(item_id: int) -> str:
    return f"item #{item_id}"


def partner_target(partner_id: int) -> str:
    return f"partner #{partner_id}"


def task_target(task_id: int) -> str:
    return f"task #{task_id}"
