"""The pipeline's use cases (the queue worker and the presses) driven through fake ports:
what they decide when a step fails, a press loses a race, or the database is busy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.audit import AuditEntry
from domain.dispatch import PartnerPool
from domain.errors import IllegalTransition, StaleOrder
from domain.ids import OrderId, RestaurantId, TaskId, UserId
from domain.messages import Kind, Notification
from domain.orders import Actor, ActorKind, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.actions import Presses
from domain.pipeline.model import (
    Effects,
    LineView,
    OfferView,
    OrderView,
    PipelineConfig,
    Snapshot,
    Step,
    TaskRun,
)
from domain.pipeline.ports import (
    ClaimedTask,
    Failure,
    Lease,
    Pair,
    PipelineTx,
    Reschedule,
    StoreError,
)
from domain.pipeline.presses import Assignment
from domain.pipeline.steps import HANDLERS
from domain.pipeline.worker import PipelineWorker
from domain.restaurants import Restaurant
from domain.retry import RetryPolicy
from domain.tasks import TaskKind

S = OrderStatus
T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KITCHEN = Restaurant(RestaurantId(1), "CTR", "Malleshwaram", prep_minutes=10)
CUSTOMER, RIDER = UserId(1001), UserId(2001)
ADMINS = frozenset({9001})
CONFIG = PipelineConfig(admin_ids=ADMINS)
POLICY = RetryPolicy(max_attempts=2, base_delay_s=1, max_delay_s=60, jitter=0)


class Clock:
    def now(self) -> datetime:
        return T0


@dataclass
class FakeStore:
    """An in-memory PipelineStore: its transactions see and change these dicts directly (no
    rollback: the use cases under test write nothing before a guard says yes)."""

    orders: dict[OrderId, OrderView] = field(default_factory=dict)
    tasks: list[ClaimedTask] = field(default_factory=list)
    notes: list[Notification] = field(default_factory=list)
    settled: list[tuple[list[TaskId], list[Reschedule], list[Failure]]] = field(
        default_factory=list)
    meanwhile: list[OrderView] = field(default_factory=list)  # writes that race the next apply
    busy: list[StoreError] = field(default_factory=list)  # errors the next transactions raise
    refuse: int = 0  # the next applies whose guards fail, as if another writer always won
    audited: list[AuditEntry] = field(default_factory=list)
    kitchens_read: list[RestaurantId] = field(default_factory=list)
    free: list[Partner] = field(default_factory=list)  # the partners the pool is drawn from
    pools: list[int] = field(default_factory=list)  # the sizes of the pools asked for

    async def claim(self, lease: Lease) -> list[ClaimedTask]:
        claimed, self.tasks = self.tasks, []
        return claimed

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PipelineTx]:
        if self.busy:
            raise self.busy.pop(0)
        yield FakeTx(self)


@dataclass
class FakeTx:
    store: FakeStore

    async def hold(self, task_ids: Sequence[TaskId], lease: Lease) -> set[TaskId]:
        return set(task_ids)

    async def settle(self, done: Sequence[TaskId], later: Sequence[Reschedule],
                     failed: Sequence[Failure], now: datetime) -> None:
        self.store.settled.append((list(done), list(later), list(failed)))

    async def release(self, task_ids: Sequence[TaskId]) -> None:
        assert not task_ids

    async def wake_dispatch(self, now: datetime, limit: int) -> int:
        return 0

    async def orders(self, order_ids: Collection[OrderId]) -> dict[OrderId, OrderView]:
        return {i: self.store.orders[i] for i in order_ids if i in self.store.orders}

    async def restaurants(self, ids: Collection[RestaurantId]) -> dict[RestaurantId, Restaurant]:
        self.store.kitchens_read.extend(ids)
        return {KITCHEN.id: KITCHEN} if ids else {}

    async def lines(self, order_ids: Collection[OrderId]) -> dict[OrderId, tuple[LineView, ...]]:
        return {i: (LineView("Masala Dosa", 1, True),) for i in order_ids}

    async def offers(self, order_ids: Collection[OrderId]) -> dict[OrderId, tuple[OfferView, ...]]:
        return {}

    async def offer_pairs(self, pairs: Sequence[Pair]) -> dict[Pair, OfferView]:
        return {}

    async def partners(self, partner_ids: Collection[UserId]) -> dict[UserId, Partner]:
        return {}

    async def pool(self, size: int) -> PartnerPool:
        self.store.pools.append(size)
        return PartnerPool(self.store.free[:size])

    async def assignments(self, pairs: Sequence[Pair]) -> dict[OrderId, Assignment]:
        return {}

    async def apply(self, effects: Sequence[Effects], now: datetime) -> set[OrderId]:
        for raced in self.store.meanwhile:
            self.store.orders[raced.id] = raced
        self.store.meanwhile.clear()
        if self.store.refuse:
            self.store.refuse -= 1
            return {e.order_id for e in effects}
        failed = set()
        for e in effects:
            order = self.store.orders[e.order_id]
            if e.expect is not None and (order.status, order.partner_id) != (
                    e.expect, e.expect_partner):
                failed.add(e.order_id)
                continue
            if e.status is not None:
                self.store.orders[e.order_id] = replace(order, status=e.status)
            self.store.notes.extend(e.notes)
        return failed

    async def take(self, pairs: Sequence[Pair], now: datetime) -> set[Pair]:
        return set()

    async def finish_dispatch(self, order_ids: Sequence[OrderId], now: datetime) -> None:
        pass

    async def decline(self, pair: Pair, now: datetime) -> bool:
        return False

    async def audit(self, entry: AuditEntry) -> None:
        self.store.audited.append(entry)


def order(status: S = S.CREATED, partner: UserId | None = None) -> OrderView:
    return OrderView(OrderId(7), status, CUSTOMER, KITCHEN.id, partner, 9000, "INR", "Jayanagar",
                     ready_at=T0 - timedelta(minutes=1))


def task(kind: str = TaskKind.CONFIRM_ORDER, attempts: int = 1) -> ClaimedTask:
    return ClaimedTask(TaskId(1), kind, OrderId(7), {}, attempts, None, None)


def worker(store: FakeStore, handlers: dict[str, object] | None = None) -> PipelineWorker:
    return PipelineWorker(store, Clock(), POLICY, CONFIG, "w", rng=lambda: 0.5,
                          handlers=handlers or HANDLERS)  # type: ignore[arg-type]


async def test_a_confirm_task_moves_the_order_and_offers_it_in_the_same_batch() -> None:
    rider = Partner(UserId(31), "Ravi", PartnerStatus.APPROVED, True, idle_since=T0)
    store = FakeStore({OrderId(7): order()}, [task()], free=[rider])

    report = await worker(store).run_once(T0)

    assert store.orders[OrderId(7)].status is S.PREPARING  # no manager: auto-accepted
    assert store.pools == [1]  # a partner for the one order confirmed without a kitchen
    [(done, [later], failed)] = store.settled  # one batch: no dispatch task claimed after it
    assert (done, failed) == ([], [])
    assert (later.kind, later.run_at) == (TaskKind.DISPATCH, T0 + timedelta(seconds=60))
    assert [(n.chat_id, n.kind) for n in store.notes] == [(CUSTOMER, Kind.ORDER_STATUS),
                                                          (31, Kind.OFFER)]
    assert (report.batches, report.moves, report.rescheduled) == (1, 2, 1)


def broken(_: TaskRun, __: Snapshot) -> Step:
    raise RuntimeError("the kitchen printer is on fire")


async def test_a_failing_step_is_retried_with_backoff_and_the_order_left_alone() -> None:
    store = FakeStore({OrderId(7): order()}, [task(attempts=1)])

    report = await worker(store, {TaskKind.CONFIRM_ORDER: broken}).run_once(T0)

    [(_, _, [failure])] = store.settled
    assert failure.run_at == T0 + timedelta(seconds=POLICY.base_delay_s)
    assert "printer is on fire" in failure.error
    assert store.orders[OrderId(7)].status is S.CREATED and store.notes == []
    assert (report.retried, report.dead) == (1, 0)


async def test_a_step_failing_past_its_attempts_is_dead_lettered_and_the_order_failed() -> None:
    store = FakeStore({OrderId(7): order()}, [task(attempts=POLICY.max_attempts)])

    report = await worker(store, {TaskKind.CONFIRM_ORDER: broken}).run_once(T0)

    [(_, _, [failure])] = store.settled
    assert failure.run_at is None
    assert store.orders[OrderId(7)].status is S.FAILED
    told = {(n.chat_id, n.kind) for n in store.notes}
    assert {(CUSTOMER, Kind.ORDER_FAILED), (9001, Kind.ADMIN_ALERT)} <= told
    assert report.dead == 1


async def test_a_press_that_lost_a_race_is_answered_on_the_fresh_state() -> None:
    store = FakeStore({OrderId(7): order(S.OUT_FOR_DELIVERY, RIDER)})
    store.meanwhile.append(order(S.CANCELLED, RIDER))  # an admin cancels as the rider presses

    with pytest.raises(IllegalTransition):
        await Presses(store, Clock()).delivered(OrderId(7), RIDER)

    assert store.orders[OrderId(7)].status is S.CANCELLED and store.notes == []


async def test_a_press_that_keeps_losing_gives_up_with_stale_order() -> None:
    store = FakeStore({OrderId(7): order(S.OUT_FOR_DELIVERY, RIDER)}, refuse=2)

    with pytest.raises(StaleOrder):
        await Presses(store, Clock(), tries=2).delivered(OrderId(7), RIDER)

    assert store.orders[OrderId(7)].status is S.OUT_FOR_DELIVERY and store.notes == []


async def test_a_busy_database_is_tried_again_and_any_other_failure_is_not() -> None:
    store = FakeStore({OrderId(7): order(S.OUT_FOR_DELIVERY, RIDER)})
    store.busy.append(StoreError("deadlock detected", transient=True))
    await Presses(store, Clock()).delivered(OrderId(7), RIDER)
    assert store.orders[OrderId(7)].status is S.DELIVERED

    store.busy.append(StoreError("disk full", transient=False))
    with pytest.raises(StoreError):
        await Presses(store, Clock()).delivered(OrderId(7), RIDER)


async def test_a_riders_presses_read_no_restaurant_and_a_cancel_reads_its_own() -> None:
    rider = FakeStore({OrderId(7): order(S.PREPARING, RIDER)})
    await Presses(rider, Clock()).picked_up(OrderId(7), RIDER)
    await Presses(rider, Clock()).delivered(OrderId(7), RIDER)
    assert rider.orders[OrderId(7)].status is S.DELIVERED and rider.kitchens_read == []

    admin = FakeStore({OrderId(7): order(S.CONFIRMED)})
    await Presses(admin, Clock()).cancel_order(OrderId(7), Actor(ActorKind.ADMIN, 9001), "Fire")
    assert admin.orders[OrderId(7)].status is S.CANCELLED and admin.kitchens_read == [KITCHEN.id]


async def test_a_cancel_is_audited_with_its_move_and_a_replayed_one_is_not() -> None:
    store = FakeStore({OrderId(7): order(S.CONFIRMED)})
    admin = Actor(ActorKind.ADMIN, 9001)
    entry = AuditEntry(UserId(9001), T0, "cancel_order", "order #7", "Kitchen fire")
    presses = Presses(store, Clock())

    assert await presses.cancel_order(OrderId(7), admin, "Kitchen fire", audit=entry)
    assert not await presses.cancel_order(OrderId(7), admin, "Kitchen fire", audit=entry)

    assert store.orders[OrderId(7)].status is S.CANCELLED
    assert store.audited == [entry]


async def test_a_cancel_that_lost_its_race_is_audited_once_on_the_fresh_state() -> None:
    store = FakeStore({OrderId(7): order(S.CONFIRMED)}, refuse=1)
    entry = AuditEntry(UserId(9001), T0, "cancel_order", "order #7", "")

    assert await Presses(store, Clock()).cancel_order(
        OrderId(7), Actor(ActorKind.ADMIN, 9001), audit=entry)

    assert store.audited == [entry]
