"""The queue worker: retries with backoff, dead letters, leases that run out, several workers."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.messages import Kind, OrderReady
from domain.orders import OrderStatus
from domain.pipeline.model import Snapshot, Step, TaskRun
from domain.pipeline.steps import HANDLERS, confirm_order
from domain.tasks import TaskKind
from tests.integration.builders import T0, FixedClock
from tests.integration.pipeline_kit import ADMINS, CONFIG, CUSTOMER, open_kitchen

S = OrderStatus
Sessions = async_sessionmaker[AsyncSession]


class Flaky:
    """Confirms orders, after failing its first `failures` runs."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.runs = 0

    def __call__(self, task: TaskRun, snap: Snapshot) -> Step:
        self.runs += 1
        if self.runs <= self.failures:
            raise ConnectionError(f"kitchen printer offline (run {self.runs})")
        return confirm_order(task, snap)


async def test_a_step_that_fails_twice_then_succeeds_moves_the_order_once(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    order_id = await kitchen.place()
    flaky = Flaky(failures=2)
    worker = kitchen.worker({**HANDLERS, TaskKind.CONFIRM_ORDER: flaky})

    assert (await worker.run_once(T0)).retried == 1
    assert (await worker.run_once(T0 + timedelta(seconds=0.9))).claimed == 0  # backing off
    assert (await worker.run_once(T0 + timedelta(seconds=1))).retried == 1
    [task] = await kitchen.tasks()
    assert (task["attempts"], task["last_error"]) == (
        2, "ConnectionError: kitchen printer offline (run 2)"
    )
    assert task["run_at"] == T0 + timedelta(seconds=3)  # 1 s, then 2 s (jitter drawn at 0.5)
    report = await worker.run_once(T0 + timedelta(seconds=3))

    assert (report.moves, flaky.runs) == (2, 3)
    assert await kitchen.statuses(order_id) == [S.CREATED, S.CONFIRMED, S.PREPARING]
    assert await kitchen.kinds() == Counter({Kind.ORDER_STATUS: 1, Kind.FINDING_PARTNER: 1})
    [task] = await kitchen.tasks()  # on to its next step, with a fresh attempt count
    assert (task["kind"], task["attempts"], task["payload"]) == (TaskKind.DISPATCH, 0, {"round": 1})


async def test_a_step_that_always_fails_is_dead_lettered_and_the_order_failed(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    order_id = await kitchen.place()
    worker = kitchen.worker({**HANDLERS, TaskKind.CONFIRM_ORDER: Flaky(failures=99)})

    for at in (0, 1, 3, 7, 15):  # the policy allows 3 attempts
        await worker.run_once(T0 + timedelta(seconds=at))

    [task] = await kitchen.tasks()
    assert (task["state"], task["attempts"]) == ("dead", 3)
    assert task["last_error"] == "ConnectionError: kitchen printer offline (run 3)"
    history = await kitchen.history(order_id)
    assert [e.to_status for e in history] == [S.CREATED, S.FAILED]
    assert history[1].reason == "the pipeline gave up: " + task["last_error"]
    assert await kitchen.kinds(CUSTOMER) == Counter({Kind.ORDER_STATUS: 1, Kind.ORDER_FAILED: 1})
    alerts = [m for m in await kitchen.outbox() if m["kind"] == Kind.ADMIN_ALERT]
    assert sorted(m["chat"] for m in alerts) == sorted(ADMINS)
    assert {(m["reason"], m["order_id"]) for m in alerts} == {("order_failed", order_id)}


async def test_a_worker_that_dies_holding_a_lease_leaves_the_task_to_another(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    order_id = await kitchen.place()
    doomed, survivor = kitchen.worker(), kitchen.worker()
    lease = doomed.lease(T0)
    claimed = await doomed.claim(lease)  # ... and the process dies here
    assert [t.order_id for t in claimed] == [order_id]

    assert (await survivor.run_once(T0 + timedelta(seconds=29))).claimed == 0  # leased
    report = await survivor.run_once(T0 + timedelta(seconds=CONFIG.lease_s))
    assert (report.claimed, report.moves) == (1, 2)
    late = await doomed.work(claimed, lease)  # a worker that was only slow writes nothing
    assert late.claimed == len(claimed) and late.moves == 0

    assert await kitchen.statuses(order_id) == [S.CREATED, S.CONFIRMED, S.PREPARING]
    assert await kitchen.kinds() == Counter({Kind.ORDER_STATUS: 1, Kind.FINDING_PARTNER: 1})


async def test_workers_running_at_once_move_every_order_exactly_once(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    riders = await kitchen.add_partners(40)
    orders = [await kitchen.place() for _ in range(60)]
    workers = [kitchen.worker() for _ in range(3)]

    reports = await asyncio.gather(*(w.run_once(T0) for w in workers))

    assert sum(r.moves for r in reports) == 2 * len(orders)
    for order_id in orders:
        assert await kitchen.statuses(order_id) == [S.CREATED, S.CONFIRMED, S.PREPARING]
    offered = [m["chat"] for m in await kitchen.outbox() if m["kind"] == Kind.OFFER]
    assert sorted(offered) == sorted(riders)  # 40 partners, one offer each
    waiting = [m for m in await kitchen.outbox() if m["kind"] == Kind.FINDING_PARTNER]
    assert len(waiting) == len(orders) - len(riders)


async def test_a_task_whose_results_the_database_refuses_does_not_sink_its_batch(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    orders = [await kitchen.place() for _ in range(3)]
    poisoned = orders[1]

    def confirm_poisoning_one(task: TaskRun, snap: Snapshot) -> Step:
        step = confirm_order(task, snap)
        if task.order_id == poisoned and step.effects is not None:
            step.effects.tell(None, OrderReady(task.order_id))  # type: ignore[arg-type]  # NOT NULL
        return step

    worker = kitchen.worker({**HANDLERS, TaskKind.CONFIRM_ORDER: confirm_poisoning_one})
    await worker.run_once(T0)

    assert [(await kitchen.order(o))[0] for o in orders] == [S.PREPARING, S.CREATED, S.PREPARING]
    [task] = [t for t in await kitchen.tasks() if t["order_id"] == poisoned]
    assert (task["state"], task["kind"], task["attempts"]) == ("pending", "confirm_order", 1)
    assert "IntegrityError" in task["last_error"]
    assert task["run_at"] == T0 + timedelta(seconds=1)
