"""`domain.pipeline.ports.PipelineStore` on the database (Core SQL, set-based).

Reads and guarded writes only: what to do with them is the domain's (domain.pipeline.worker
and domain.pipeline.actions). A failure of the database itself comes out as the domain's
StoreError, marked transient for a deadlock, a serialization failure or a busy SQLite file.

Every read of a transaction here looks rows up by their keys, as many as a batch holds (its
orders, offers, partners, restaurants, dishes), so on SQLite they run on the event loop's
thread (`short_reads`, storage/sqlite_driver.py): a crossing to the database thread and back
cost more than the lookup, and the presses read before they write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.audit import AuditEntry
from domain.dispatch import PartnerPool
from domain.ids import OrderId, RestaurantId, TaskId, UserId
from domain.partners import Partner
from domain.pipeline.model import Effects, LineView, OfferState, OfferView, OrderView
from domain.pipeline.ports import (
    ClaimedTask,
    Failure,
    Lease,
    Pair,
    PipelineStore,
    PipelineTx,
    Reschedule,
    StoreError,
)
from domain.pipeline.presses import Assignment
from domain.restaurants import Restaurant
from domain.tasks import TaskKind
from storage.admin_repositories import SqlAuditLog
from storage.catalogue import Announce, announce_committed
from storage.pipeline import assign, load
from storage.pipeline.apply import apply_effects
from storage.pipeline.sql import OFFERS
from storage.pipeline.tasks import SqlTaskStore
from storage.sql import TASKS, execute_count
from storage.sqlite_driver import short_reads
from storage.wakes import NoWakes, Wakes, Written

_TRANSIENT = {"40P01", "40001", "55P03"}  # deadlock, serialization failure, lock not available


class SqlPipelineStore:
    """`wakes` hears of every committed transaction that wrote tasks or outbox rows (the
    worker's settlements and follow-ups, the presses): storage/wakes.py. With `announce`, a
    commit that gave portions back to dishes (a cancel) names the catalogue cache entries it
    made stale, as the unit of work does for the admins' edits (storage/catalogue.py)."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], wakes: Wakes | None = None,
        announce: Announce | None = None,
    ) -> None:
        self._sessions = session_factory
        self._wakes: Wakes = wakes or NoWakes()
        self._announce = announce

    async def claim(self, lease: Lease) -> list[ClaimedTask]:
        try:
            async with self._sessions() as session, session.begin():
                return await SqlTaskStore(session).claim_due(lease)
        except DBAPIError as exc:
            raise _store_error(exc) from exc

    async def next_due(self) -> datetime | None:
        try:
            async with self._sessions() as session:
                return await SqlTaskStore(session).next_due()
        except DBAPIError as exc:
            raise _store_error(exc) from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PipelineTx]:
        written, stale = Written(), set[str]()
        try:
            async with self._sessions() as session, session.begin():
                with short_reads():
                    yield SqlPipelineTx(session, written, stale)
        except DBAPIError as exc:
            raise _store_error(exc) from exc
        written.tell(self._wakes)
        await announce_committed(self._announce, stale)


class SqlPipelineTx:
    """One transaction's reads and writes; see domain.pipeline.ports.PipelineTx."""

    def __init__(self, session: AsyncSession, written: Written | None = None,
                 stale: set[str] | None = None) -> None:
        self._session = session
        self._tasks = SqlTaskStore(session)
        self._written = written or Written()
        self._stale = stale if stale is not None else set()

    async def hold(self, task_ids: Sequence[TaskId], lease: Lease) -> set[TaskId]:
        return await self._tasks.hold(task_ids, lease)

    async def settle(
        self, done: Sequence[TaskId], later: Sequence[Reschedule], failed: Sequence[Failure],
        now: datetime,
    ) -> None:
        if done:
            await self._tasks.complete(done, now)
        await self._tasks.reschedule(later)
        await self._tasks.fail(failed, now)
        self._written.tasks |= bool(later) or any(f.run_at is not None for f in failed)

    async def release(self, task_ids: Sequence[TaskId]) -> None:
        await self._tasks.release(task_ids)
        self._written.tasks |= bool(task_ids)

    async def wake_dispatch(self, now: datetime, limit: int) -> int:
        woken = await assign.wake_dispatch(self._session, now, limit)
        self._written.tasks |= woken > 0
        return woken

    async def orders(self, order_ids: Collection[OrderId]) -> dict[OrderId, OrderView]:
        return await load.orders(self._session, order_ids)

    async def restaurants(
        self, restaurant_ids: Collection[RestaurantId]
    ) -> dict[RestaurantId, Restaurant]:
        return await load.restaurants(self._session, restaurant_ids)

    async def lines(self, order_ids: Collection[OrderId]) -> dict[OrderId, tuple[LineView, ...]]:
        return await load.lines(self._session, order_ids)

    async def offers(
        self, order_ids: Collection[OrderId]
    ) -> dict[OrderId, tuple[OfferView, ...]]:
        return await load.offers(self._session, order_ids)

    async def offer_pairs(self, pairs: Sequence[Pair]) -> dict[Pair, OfferView]:
        return await load.offer_pairs(self._session, pairs)

    async def partners(self, partner_ids: Collection[UserId]) -> dict[UserId, Partner]:
        return await load.partners(self._session, partner_ids)

    async def pool(self, size: int) -> PartnerPool:
        return await load.pool(self._session, size)

    async def assignments(self, pairs: Sequence[Pair]) -> dict[OrderId, Assignment]:
        return await load.assignments(self._session, pairs)

    async def apply(self, effects: Sequence[Effects], now: datetime) -> set[OrderId]:
        failed = await apply_effects(self._session, effects, now, self._stale)
        done = [e for e in effects if e.order_id not in failed]
        self._written.tasks |= any(e.tasks for e in done)
        self._written.messages |= any(e.notes for e in done)
        return failed

    async def take(self, pairs: Sequence[Pair], now: datetime) -> set[Pair]:
        return await assign.take(self._session, pairs, now)

    async def finish_dispatch(self, order_ids: Sequence[OrderId], now: datetime) -> None:
        await assign.finish_dispatch(self._session, order_ids, now)

    async def decline(self, pair: Pair, now: datetime) -> bool:
        order_id, partner_id = pair
        # the task first: the worker locks it before the offer, so the same order never deadlocks
        t = TASKS.c
        await self._session.execute(
            update(TASKS)
            .where(t.order_id == order_id, t.kind == TaskKind.DISPATCH.value, t.state == "pending")
            .values(run_at=now)
        )
        self._written.tasks = True
        o = OFFERS.c
        stmt = (
            update(OFFERS)
            .where(o.order_id == order_id, o.partner_id == partner_id,
                   o.state == OfferState.OPEN.value)
            .values(state=OfferState.DECLINED.value, closed_at=now)
        )
        return await execute_count(self._session, stmt) == 1

    async def audit(self, entry: AuditEntry) -> None:
        await SqlAuditLog(self._session).add(entry)


def _store_error(exc: DBAPIError) -> StoreError:
    code = getattr(exc.orig, "sqlstate", None)
    transient = code in _TRANSIENT or "database is locked" in str(exc.orig)
    return StoreError(f"{type(exc).__name__}: {exc.orig}", transient=transient)


def _implements(store: SqlPipelineStore, tx: SqlPipelineTx) -> tuple[PipelineStore, PipelineTx]:
    return store, tx  # mypy checks the classes against the ports the domain uses
