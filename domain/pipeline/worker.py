"""The queue worker's use case: claim due tasks in batches, run their steps, settle (§4).

A batch takes two transactions. The first claims up to `batch_size` due tasks under a lease
and commits, so a worker that dies now leaves leases that simply run out. The second first
checks the lease still holds (`PipelineTx.hold`, which keeps the tasks until commit), reads
what the steps need, runs the pure steps (domain.pipeline.steps), and writes every move,
event, outbox row, offer and follow-up before settling the tasks: all of it commits together
or not at all.

The decisions are made here: a step that raises is retried with backoff and jitter up to its
limit, or at once dead-lettered when the error is a DomainError (retrying cannot help); the
order fails only when its task is dead-lettered. An order whose guard failed (a press moved it
meanwhile) gets its task back to run again on fresh data. A batch the database refuses is
worked task by task, so one bad task cannot hold back the others.

Nothing lives in memory between ticks: a restarted worker carries on from the tables.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count

from domain.errors import DomainError
from domain.ids import OrderId, TaskId
from domain.orders import OrderStatus
from domain.pipeline.model import (
    Effects,
    Handler,
    PipelineConfig,
    Snapshot,
    Step,
    TaskRun,
    TickReport,
)
from domain.pipeline.ports import (
    ClaimedTask,
    Failure,
    Lease,
    PipelineStore,
    PipelineTx,
    QueueWorker,
    Reschedule,
    StoreError,
)
from domain.pipeline.steps import HANDLERS, fail_order
from domain.ports import Clock
from domain.retry import RetryPolicy
from domain.tasks import TaskKind

logger = logging.getLogger(__name__)


@dataclass
class _Outcome:
    """How the tasks of one batch end, gathered before anything is written."""

    steps: dict[TaskId, Step]
    failures: dict[TaskId, Failure]
    effects: dict[OrderId, Effects]
    owner: dict[OrderId, TaskId]  # which task's effects these are


class PipelineWorker:
    """The order pipeline without Telegram: the job (bot/jobs.py) calls `run_once` when woken
    and at its fallback look, then sleeps until `next_due` at the latest."""

    def __init__(
        self,
        store: PipelineStore,
        clock: Clock,
        policy: RetryPolicy,
        config: PipelineConfig,
        worker_id: str,
        rng: Callable[[], float] = random.random,
        handlers: Mapping[str, Handler] = HANDLERS,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy
        self._config = config
        self._worker_id = worker_id
        self._rng = rng
        self._handlers = handlers
        self._claims = count(1)

    async def run_once(self, now: datetime | None = None) -> TickReport:
        """Works due tasks, batch after batch, until none are due or the tick's share is done.

        Steps due at once (the dispatch of an order its kitchen accepted) run in the same tick.
        """
        now = now or self._clock.now()
        total = TickReport()
        for _ in range(self._config.max_batches_per_tick):
            report = await self.run_batch(now)
            total += report
            if not report.claimed:
                break
        return total

    async def next_due(self) -> datetime | None:
        return await self._store.next_due()

    async def run_batch(self, now: datetime) -> TickReport:
        """Claims one batch and works it; a batch whose writes fail is worked task by task."""
        lease = self.lease(now)
        claimed = await self.claim(lease)
        if not claimed:
            return TickReport()
        try:
            return await self.work(claimed, lease)
        except StoreError:
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
        """Claims due tasks under `lease` and commits the claim: the first half of a batch."""
        return await self._store.claim(lease)

    async def _run_alone(self, task: ClaimedTask, lease: Lease) -> TickReport:
        try:
            return await self.work([task], lease)
        except StoreError as exc:
            logger.warning("task %s failed to write", task.id, exc_info=True)
            failure = self._failure(task, exc, lease.now)
            async with self._store.transaction() as tx:
                if not await tx.hold([task.id], lease):
                    return TickReport()
                await tx.settle([], [], [failure], lease.now)
            dead = failure.run_at is None
            return TickReport(retried=int(not dead), dead=int(dead))

    async def work(self, claimed: Sequence[ClaimedTask], lease: Lease) -> TickReport:
        """Runs claimed tasks and writes their results, all in one transaction.

        Tasks whose lease another worker has taken over since are left alone.
        """
        now = lease.now
        async with self._store.transaction() as tx:
            held = await tx.hold([task.id for task in claimed], lease)
            tasks, twins = _one_per_order(task for task in claimed if task.id in held)
            snap = await self._snapshot(tx, tasks, now)
            outcome = self._decide(tasks, snap)
            conflicts = await tx.apply(list(outcome.effects.values()), now)
            again = {outcome.owner[order_id] for order_id in conflicts} | set(twins)
            await self._settle(tx, outcome, again, now)
            await tx.release(sorted(again))
        written = [e for order_id, e in outcome.effects.items() if order_id not in conflicts]
        steps = [s for task_id, s in outcome.steps.items() if task_id not in again]
        failures = [f for task_id, f in outcome.failures.items() if task_id not in again]
        dead = sum(f.run_at is None for f in failures)
        return TickReport(
            batches=1, claimed=len(claimed), done=sum(s.next is None for s in steps),
            rescheduled=sum(s.next is not None for s in steps),
            retried=len(failures) - dead, dead=dead, conflicts=len(again),
            moves=sum(len(e.moves) for e in written), notes=sum(len(e.notes) for e in written),
        )

    async def _snapshot(
        self, tx: PipelineTx, tasks: Sequence[ClaimedTask], now: datetime
    ) -> Snapshot:
        """Reads what the steps need. Offers come before orders: on PostgreSQL each statement
        sees its own moment, and a dispatch step must never see an order still unassigned
        next to the offer that was accepted for it."""
        dispatching = {t.order_id for t in tasks if t.kind == TaskKind.DISPATCH and t.order_id}
        offers = await tx.offers(dispatching)
        orders = await tx.orders({t.order_id for t in tasks if t.order_id})
        restaurants = await tx.restaurants({o.restaurant_id for o in orders.values()})
        confirming = {t.order_id for t in tasks
                      if t.kind == TaskKind.CONFIRM_ORDER and t.order_id in orders}
        lines = await tx.lines(confirming)
        snap = Snapshot(now, self._config, self._policy, orders, restaurants, lines, offers)
        searching = [
            order_id for order_id in dispatching
            if order_id in orders and orders[order_id].partner_id is None
            and not any(offer.is_live(now) for offer in offers.get(order_id, ()))
        ]
        dispatched_at_once = sum(  # confirmed without a kitchen: dispatch looks in the step
            1 for order_id in confirming
            if (order := orders[order_id]).status == OrderStatus.CREATED
            and (kitchen := restaurants.get(order.restaurant_id)) is not None
            and kitchen.manager_chat_id is None
        )
        if searching or dispatched_at_once:
            size = (len(searching) + sum(len(offers.get(i, ())) for i in searching)
                    + dispatched_at_once)
            snap.pool = await tx.pool(size)
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
                    _keep(outcome, task.id, effects)
                continue
            outcome.steps[task.id] = step
            if step.effects is not None:
                _keep(outcome, task.id, step.effects)
        return outcome

    def _failure(self, task: ClaimedTask, exc: BaseException, now: datetime) -> Failure:
        """Retry with backoff and jitter; dead-letter past the limit or on a domain error."""
        error = f"{type(exc).__name__}: {exc}"  # storage keeps as much as its column holds
        limit = task.max_attempts or self._policy.max_attempts
        if isinstance(exc, DomainError) or task.attempts >= limit:
            return Failure(task.id, error, None)
        delay = self._policy.delay_s(task.attempts, self._rng())
        return Failure(task.id, error, now + timedelta(seconds=delay))

    async def _settle(
        self, tx: PipelineTx, outcome: _Outcome, again: set[TaskId], now: datetime
    ) -> None:
        done = [t for t, s in outcome.steps.items() if s.next is None and t not in again]
        later = [
            Reschedule(t, s.next.kind, s.next.run_at, dict(s.next.payload))
            for t, s in outcome.steps.items()
            if s.next is not None and t not in again
        ]
        failed = [f for t, f in outcome.failures.items() if t not in again]
        await tx.settle(done, later, failed, now)


def _keep(outcome: _Outcome, task_id: TaskId, effects: Effects) -> None:
    outcome.effects[effects.order_id] = effects
    outcome.owner[effects.order_id] = task_id


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
