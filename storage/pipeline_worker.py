"""The queue worker: claims due tasks in batches, runs their steps, writes the results (§4).

A batch takes two transactions. The first claims up to `batch_size` due tasks under a lease
(UPDATE ... RETURNING, FOR UPDATE SKIP LOCKED on PostgreSQL) and commits, so a worker that
dies now leaves leases that simply run out. The second first checks the lease still holds
(`SqlTaskStore.hold`, which keeps the rows until commit), reads what the steps need in a few
queries, runs the pure steps, and writes every move, event, outbox row, offer and follow-up
with set-based statements before settling the tasks: all of it commits together or not at all.

Nothing lives in memory between ticks: a restarted worker carries on from the tables.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.errors import DomainError
from domain.ids import OrderId, TaskId
from domain.pipeline import (
    Effects,
    Handler,
    PipelineConfig,
    Snapshot,
    Step,
    TaskRun,
    TickReport,
)
from domain.pipeline_ports import QueueWorker
from domain.pipeline_steps import HANDLERS, fail_order
from domain.ports import Clock
from domain.retry import RetryPolicy
from domain.tasks import TaskKind
from storage import pipeline_load as load
from storage.pipeline_apply import apply_effects
from storage.pipeline_sql import MAX_ERROR
from storage.work_queue import ClaimedTask, Failure, Lease, Reschedule, SqlTaskStore

logger = logging.getLogger(__name__)


@dataclass
class _Outcome:
    """How the tasks of one batch end, gathered before anything is written."""

    steps: dict[TaskId, Step]
    failures: dict[TaskId, Failure]
    effects: dict[OrderId, Effects]
    owner: dict[OrderId, TaskId]  # which task's effects these are


class PipelineWorker:
    """The order pipeline without Telegram: the JobQueue job calls `run_once` every tick."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        policy: RetryPolicy,
        config: PipelineConfig,
        worker_id: str,
        rng: Callable[[], float] = random.random,
        handlers: Mapping[str, Handler] = HANDLERS,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._policy = policy
        self._config = config
        self._worker_id = worker_id
        self._rng = rng
        self._handlers = handlers
        self._claims = count(1)

    async def run_once(self, now: datetime | None = None) -> TickReport:
        """Works due tasks, batch after batch, until none are due or the tick's share is done.

        Steps due at once (a confirmed order's first dispatch) run in the same tick.
        """
        now = now or self._clock.now()
        total = TickReport()
        for _ in range(self._config.max_batches_per_tick):
            report = await self.run_batch(now)
            total += report
            if not report.claimed:
                break
        return total

    async def run_batch(self, now: datetime) -> TickReport:
        """Claims one batch and works it; a batch whose writes fail is worked task by task."""
        lease = self.lease(now)
        claimed = await self.claim(lease)
        if not claimed:
            return TickReport()
        try:
            return await self.work(claimed, lease)
        except DBAPIError:
            logger.warning("a batch of %d failed; working it task by task", len(claimed),
                           exc_info=True)
        total = TickReport()
        for task in claimed:
            total += await self._run_alone(task, lease)
        return total

    def lease(self, now: datetime) -> Lease:
        """A lease for one claim; its holder name is unique per claim, a fencing token."""
        token = f"{self._worker_id}#{next(self._claims)}"
        duration = timedelta(seconds=self._config.lease_s)
        return Lease(token, now, duration, self._config.batch_size)

    async def claim(self, lease: Lease) -> list[ClaimedTask]:
        """Claims due tasks under `lease` and commits the claim."""
        async with self._sessions() as session, session.begin():
            return await SqlTaskStore(session).claim_due(lease)

    async def _run_alone(self, task: ClaimedTask, lease: Lease) -> TickReport:
        try:
            return await self.work([task], lease)
        except DBAPIError as exc:
            logger.warning("task %s failed to write", task.id, exc_info=True)
            async with self._sessions() as session, session.begin():
                store = SqlTaskStore(session)
                if not await store.hold([task.id], lease):
                    return TickReport()
                failure = self._failure(task, exc, lease.now)
                await store.fail([failure], lease.now)
            dead = failure.run_at is None
            return TickReport(retried=int(not dead), dead=int(dead))

    async def work(self, claimed: Sequence[ClaimedTask], lease: Lease) -> TickReport:
        """Runs claimed tasks and writes their results, all in one transaction.

        Tasks whose lease another worker has taken over since are left alone.
        """
        now = lease.now
        async with self._sessions() as session, session.begin():
            store = SqlTaskStore(session)
            held = await store.hold([task.id for task in claimed], lease)
            tasks, twins = _one_per_order(task for task in claimed if task.id in held)
            snap = await self._snapshot(session, tasks, now)
            outcome = self._decide(tasks, snap)
            conflicts = await apply_effects(session, list(outcome.effects.values()), now)
            again = [outcome.owner[order_id] for order_id in conflicts] + twins
            await self._settle(store, outcome, set(again), now)
            await store.release(again)
        written = [e for order_id, e in outcome.effects.items() if order_id not in conflicts]
        steps = [s for task_id, s in outcome.steps.items() if task_id not in again]
        dead = sum(f.run_at is None for f in outcome.failures.values())
        return TickReport(
            batches=1, claimed=len(claimed), done=sum(s.next is None for s in steps),
            rescheduled=sum(s.next is not None for s in steps),
            retried=len(outcome.failures) - dead, dead=dead, conflicts=len(again),
            moves=sum(len(e.moves) for e in written), notes=sum(len(e.notes) for e in written),
        )

    async def _snapshot(
        self, session: AsyncSession, tasks: Sequence[ClaimedTask], now: datetime
    ) -> Snapshot:
        """Reads what the steps need. Offers come before orders: on PostgreSQL each statement
        sees its own moment, and a dispatch step must never see an order still unassigned
        next to the offer that was accepted for it."""
        dispatching = {t.order_id for t in tasks if t.kind == TaskKind.DISPATCH and t.order_id}
        offers = await load.offers(session, dispatching)
        orders = await load.orders(session, {t.order_id for t in tasks if t.order_id})
        restaurants = await load.restaurants(session, (o.restaurant_id for o in orders.values()))
        confirming = {t.order_id for t in tasks if t.kind == TaskKind.CONFIRM_ORDER}
        lines = await load.lines(session, {i for i in confirming if i in orders})
        snap = Snapshot(now, self._config, self._policy, orders, restaurants, lines, offers)
        searching = [
            order_id for order_id in dispatching
            if order_id in orders and orders[order_id].partner_id is None
            and not any(offer.is_live(now) for offer in offers.get(order_id, ()))
        ]
        if searching:
            size = len(searching) + sum(len(offers.get(i, ())) for i in searching)
            snap.pool = await load.pool(session, size)
        return snap

    def _decide(self, tasks: Sequence[ClaimedTask], snap: Snapshot) -> _Outcome:
        outcome = _Outcome({}, {}, {}, {})
        for task in tasks:
            run = TaskRun(
                task.id, task.kind, task.order_id, task.payload, task.attempts, self._rng()
            )
            try:
                handler = self._handlers.get(task.kind)
                if handler is None:
                    raise DomainError(f"no handler for tasks of kind {task.kind!r}")
                step = handler(run, snap)
            except Exception as exc:  # any failing step is retried, then dead-lettered
                logger.warning("task %s (%s) failed: %r", task.id, task.kind, exc)
                failure = self._failure(task, exc, snap.now)
                outcome.failures[task.id] = failure
                order = snap.orders.get(task.order_id) if task.order_id else None
                if failure.run_at is None and order is not None:
                    effects = fail_order(order, self._config, at=snap.now, error=failure.error)
                    self._keep(outcome, task.id, effects)
                continue
            outcome.steps[task.id] = step
            if step.effects is not None:
                self._keep(outcome, task.id, step.effects)
        return outcome

    def _keep(self, outcome: _Outcome, task_id: TaskId, effects: Effects) -> None:
        outcome.effects[effects.order_id] = effects
        outcome.owner[effects.order_id] = task_id

    def _failure(self, task: ClaimedTask, exc: BaseException, now: datetime) -> Failure:
        """Retry with backoff and jitter; dead-letter past the limit or on a domain error."""
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        limit = task.max_attempts or self._policy.max_attempts
        if isinstance(exc, DomainError) or task.attempts >= limit:
            return Failure(task.id, error, None)
        delay = self._policy.delay_s(task.attempts, self._rng())
        return Failure(task.id, error, now + timedelta(seconds=delay))

    async def _settle(
        self, store: SqlTaskStore, outcome: _Outcome, again: set[TaskId], now: datetime
    ) -> None:
        done = [t for t, s in outcome.steps.items() if s.next is None and t not in again]
        later = [
            Reschedule(t, s.next.kind, s.next.run_at, dict(s.next.payload))
            for t, s in outcome.steps.items()
            if s.next is not None and t not in again
        ]
        if done:
            await store.complete(done, now)
        await store.reschedule(later)
        await store.fail([f for t, f in outcome.failures.items() if t not in again], now)


def _one_per_order(
    tasks: Iterable[ClaimedTask],
) -> tuple[list[ClaimedTask], list[TaskId]]:
    """The tasks to run now, one per order, and the others to give back for later."""
    seen: set[OrderId] = set()
    run, twins = [], []
    for task in tasks:
        if task.order_id is not None and task.order_id in seen:
            twins.append(task.id)
            continue
        if task.order_id is not None:
            seen.add(task.order_id)
        run.append(task)
    return run, twins


def _implements(worker: PipelineWorker) -> QueueWorker:
    return worker  # mypy checks the class against the port the JobQueue job uses
