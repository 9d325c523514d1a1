"""Workers claim due tasks and messages with leases, and settle them (DESIGN.md §4)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from domain.ids import TaskId
from domain.messages import Notification, OrderReady
from domain.pipeline.ports import ClaimedTask, Lease
from domain.tasks import NewTask, TaskKind
from storage.pipeline.marks import mark_all_sent
from storage.pipeline.outbox import SqlOutboxStore
from storage.pipeline.tasks import SqlTaskStore
from storage.sent_journal import Taken
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, T0, Catalog, new_order, store_order

Uows = Callable[[], SqlUnitOfWork]
LEASE = timedelta(seconds=30)


async def enqueue(uows: Uows, *tasks: NewTask) -> list[TaskId]:
    async with uows() as uow:
        ids = [await uow.tasks.enqueue(task) for task in tasks]
        await uow.commit()
    return ids


async def claim(uows: Uows, worker: str, at: datetime, limit: int = 10) -> list[ClaimedTask]:
    async with uows() as uow:
        claimed = await SqlTaskStore(uow.session).claim_due(Lease(worker, at, LEASE, limit))
        await uow.commit()
    return claimed


async def test_a_due_task_is_leased_to_one_worker_until_the_lease_runs_out(
    uow_factory: Uows, catalog: Catalog
) -> None:
    order = await store_order(uow_factory, new_order(catalog, T0))
    first, second, _later = await enqueue(
        uow_factory,
        NewTask(TaskKind.CONFIRM_ORDER, order.id, T0, {"step": 1}),
        NewTask(TaskKind.DISPATCH, None, T0 - timedelta(seconds=5)),
        NewTask(TaskKind.MARK_READY, order.id, T0 + timedelta(hours=1)),
    )

    claimed = await claim(uow_factory, "worker-a", T0)
    assert [(t.id, t.attempts) for t in claimed] == [(second, 1), (first, 1)]
    assert claimed[1].payload == {"step": 1}
    assert claimed[1].order_id == order.id
    assert await claim(uow_factory, "worker-b", T0 + LEASE / 2) == []

    reclaimed = await claim(uow_factory, "worker-b", T0 + LEASE)  # worker-a died
    assert [(t.id, t.attempts) for t in reclaimed] == [(second, 2), (first, 2)]


async def test_settled_tasks_leave_the_queue_and_dead_ones_can_be_revived(
    uow_factory: Uows,
) -> None:
    done, retried, dead = await enqueue(
        uow_factory, *(NewTask(TaskKind.DISPATCH, None, T0) for _ in range(3))
    )
    await claim(uow_factory, "worker-a", T0)
    async with uow_factory() as uow:
        store = SqlTaskStore(uow.session)
        assert await store.complete([done], T0) == 1
        await store.retry_later(retried, error="no partner", run_at=T0 + timedelta(seconds=4))
        await store.bury(dead, error="gave up", now=T0)
        await uow.commit()

    assert await claim(uow_factory, "worker-b", T0 + timedelta(seconds=3)) == []
    [again] = await claim(uow_factory, "worker-b", T0 + timedelta(seconds=4))
    assert (again.id, again.attempts, again.last_error) == (retried, 2, "no partner")
    async with uow_factory() as uow:
        store = SqlTaskStore(uow.session)
        assert [(t.id, t.last_error) for t in await store.dead_letters(10)] == [(dead, "gave up")]
        assert await store.revive(dead, T0)
        assert not await store.revive(done, T0)
        await uow.commit()
    [revived] = await claim(uow_factory, "worker-c", T0 + timedelta(seconds=1))
    assert (revived.id, revived.attempts) == (dead, 1)


async def test_workers_claiming_at_once_share_the_tasks_without_overlap(
    uow_factory: Uows,
) -> None:
    ids = await enqueue(uow_factory, *(NewTask(TaskKind.DISPATCH, None, T0) for _ in range(40)))

    batches = await asyncio.gather(
        *(claim(uow_factory, f"worker-{n}", T0, limit=15) for n in range(4))
    )

    claimed = [task.id for batch in batches for task in batch]
    assert sorted(claimed) == sorted(ids)
    assert all(len(batch) <= 15 for batch in batches)


async def test_outbox_messages_are_claimed_in_order_and_sent_once(uow_factory: Uows) -> None:
    async with uow_factory() as uow:
        for n in range(3):
            await uow.outbox.add(Notification(CUSTOMER, OrderReady(n)), T0)
        await uow.commit()
    lease = Lease("sender", T0, LEASE, 10)
    async with uow_factory() as uow:
        outbox = SqlOutboxStore(uow.session)
        first, second, third = await outbox.claim_due(lease)
        await mark_all_sent(uow.session, [Taken(first.id, T0, 501), Taken(third.id, T0, 502)])
        await outbox.retry_later(second.id, error="RetryAfter 3", at=T0 + timedelta(seconds=3))
        await uow.commit()
    assert [m.data for m in (first, second, third)] == [{"order_id": n} for n in range(3)]

    async with uow_factory() as uow:
        outbox = SqlOutboxStore(uow.session)
        assert await outbox.claim_due(Lease("sender", T0 + timedelta(seconds=2), LEASE, 10)) == []
        [again] = await outbox.claim_due(Lease("sender", T0 + timedelta(seconds=3), LEASE, 10))
    assert (again.id, again.chat_id, again.attempts) == (second.id, CUSTOMER, 2)
