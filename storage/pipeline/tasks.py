"""The workers' side of the task queue: claim with a lease, then settle (§4).

A claim is one UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) ... RETURNING, so
several instances on PostgreSQL never claim the same row twice while its lease runs; SQLite
serialises writers and ignores the locking clause. A lease that expires (the worker died) makes
the row claimable again. Nothing here commits: call these inside a unit of work
(`SqlTaskStore(uow.session)`) and commit the claim before doing the work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Label,
    Table,
    Update,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ids import OrderId, TaskId
from domain.pipeline.ports import ClaimedTask, Failure, Lease, Reschedule
from storage.mapping import Row
from storage.pipeline.bulk import Bulk
from storage.pipeline.sql import MAX_ERROR, NOW, Prepared
from storage.sql import TASKS, execute_count, in_ids
from storage.types import UTCDateTime


@dataclass(frozen=True)
class Claim:
    """Leasing up to a lease's `limit` rows of `table` that are `due` (NOW: the lease's
    time) to its worker, in `order`; built once, run by `claim_rows`.

    The rows claimed come back with `columns` (and those of `order`), and the `extra`
    expressions by their labels. `key` is the primary key.
    """

    statement: Prepared[Update]
    order: tuple[str, ...]

    @classmethod
    def of(cls, table: Table, due: ColumnElement[bool], order: Sequence[str],
           columns: Sequence[str], key: str = "id", extra: Sequence[Label[Any]] = ()) -> Claim:
        free = or_(table.c.locked_until.is_(None), table.c.locked_until <= NOW)
        # a CTE: PostgreSQL always materialises one with FOR UPDATE, so the LIMIT holds
        picked = (
            select(table.c[key])
            .where(due, free)
            .order_by(*(table.c[name] for name in order))
            .limit(bindparam("limit"))
            .with_for_update(skip_locked=True)
            .cte("picked")
        )
        statement = (
            update(table)
            .where(table.c[key].in_(select(picked.c[key])))
            .values(locked_until=bindparam("until", type_=UTCDateTime()),
                    locked_by=bindparam("worker"), attempts=table.c.attempts + 1)
            .returning(*(table.c[name] for name in dict.fromkeys([*columns, *order])), *extra)
        )
        return cls(Prepared(statement), tuple(order))


async def claim_rows(
    session: AsyncSession, claim: Claim, lease: Lease, **values: Any
) -> list[Row]:
    """Runs `claim` under `lease`, with any more parameters its `due` takes."""
    values |= {"now": lease.now, "limit": lease.limit, "until": lease.until,
               "worker": lease.worker}
    rows = await claim.statement.mappings(session, values)
    return sorted(rows, key=lambda row: tuple(row[name] for name in claim.order))


class SqlTaskStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_due(self, lease: Lease) -> list[ClaimedTask]:
        """Pending tasks whose time has come and that no live lease holds, earliest first."""
        return [_task(row) for row in await claim_rows(self._session, _CLAIM, lease)]

    async def next_due(self) -> datetime | None:
        """When the earliest pending task becomes claimable: its `run_at`, or the end of the
        lease that holds it, whichever is later; None when nothing is pending."""
        t = TASKS.c
        later = case((t.locked_until > t.run_at, t.locked_until), else_=t.run_at)
        stmt = select(func.min(later)).where(t.state == "pending")
        return cast(datetime | None, (await self._session.execute(stmt)).scalar_one())

    async def complete(self, task_ids: Sequence[TaskId], now: datetime) -> int:
        """Marks tasks done; returns how many were still pending."""
        return await _COMPLETE.count(self._session, {"ids": list(task_ids), "now": now})

    async def retry_later(self, task_id: TaskId, *, error: str, run_at: datetime) -> None:
        """Releases the lease and schedules another attempt."""
        await self._settle([task_id], state="pending", run_at=run_at, last_error=error)

    async def bury(self, task_id: TaskId, *, error: str, now: datetime) -> None:
        """Dead-letters a task that cannot be retried further."""
        await self._settle([task_id], state="dead", finished_at=now, last_error=error)

    async def dead_letters(self, limit: int) -> list[ClaimedTask]:
        """The newest dead tasks, for admins."""
        stmt = (
            select(TASKS).where(TASKS.c.state == "dead").order_by(TASKS.c.id.desc()).limit(limit)
        )
        return [_task(row) for row in (await self._session.execute(stmt)).mappings()]

    async def revive(self, task_id: TaskId, now: datetime) -> bool:
        """Puts a dead task back in the queue, due now, with a fresh attempt count."""
        stmt = (
            update(TASKS)
            .where(TASKS.c.id == task_id, TASKS.c.state == "dead")
            .values(state="pending", run_at=now, attempts=0, finished_at=None)
        )
        return await execute_count(self._session, stmt) == 1

    async def hold(self, task_ids: Sequence[TaskId], lease: Lease) -> set[TaskId]:
        """Those of `task_ids`, claimed under `lease`, that nobody has claimed since.

        Run it first in the transaction that settles them: it keeps them (the write lock on
        SQLite, row locks on PostgreSQL) until commit, so no other worker claims them while
        their results are written, and a worker whose lease ran out writes nothing.
        """
        held = await _HOLD.rows(
            self._session, {"ids": list(task_ids), "worker": lease.worker, "until": lease.until})
        return {TaskId(row[0]) for row in held}

    async def reschedule(self, steps: Sequence[Reschedule]) -> None:
        """Releases each task for its next step, in one executemany."""
        await _RESCHEDULE.run(self._session, [
            {"task_id": s.task_id, "new_kind": s.kind, "new_run_at": s.run_at,
             "new_payload": s.payload}
            for s in steps
        ])

    async def fail(self, failures: Sequence[Failure], now: datetime) -> None:
        """Schedules the retries and dead-letters the rest, keeping each last error."""
        await _RETRY.run(self._session, [
            {"task_id": f.task_id, "new_run_at": f.run_at, "error": f.error[:MAX_ERROR]}
            for f in failures if f.run_at is not None
        ])
        await _BURY.run(self._session, [
            {"task_id": f.task_id, "error": f.error[:MAX_ERROR], "now": now}
            for f in failures if f.run_at is None
        ])

    async def release(self, task_ids: Sequence[TaskId]) -> None:
        """Gives claimed tasks back untouched, due as they were; the claim does not count."""
        if task_ids:
            stmt = (
                update(TASKS)
                .where(TASKS.c.id.in_(list(task_ids)), TASKS.c.state == "pending")
                .values(locked_until=None, locked_by=None, attempts=TASKS.c.attempts - 1)
            )
            await self._session.execute(stmt)

    async def _settle(self, task_ids: Sequence[TaskId], *, state: str, **values: Any) -> int:
        stmt = (
            update(TASKS)
            .where(TASKS.c.id.in_(list(task_ids)), TASKS.c.state == "pending")
            .values(state=state, locked_until=None, locked_by=None, **values)
        )
        return await execute_count(self._session, stmt)


_T = TASKS.c
_HOLD = Prepared(
    update(TASKS)
    .where(in_ids(_T.id), _T.locked_by == bindparam("worker"), _T.state == "pending")
    .values(locked_until=bindparam("until", type_=UTCDateTime()))
    .returning(_T.id)
)
_COMPLETE = Prepared(
    update(TASKS)
    .where(in_ids(_T.id), _T.state == "pending")
    .values(state="done", locked_until=None, locked_by=None, finished_at=NOW)
)


def _pending_by_id() -> Update:
    return update(TASKS).where(TASKS.c.id == bindparam("task_id"), TASKS.c.state == "pending")


_UNLOCKED = {"locked_until": None, "locked_by": None}
_RESCHEDULE = Bulk(_pending_by_id().values(
    kind=bindparam("new_kind"), run_at=bindparam("new_run_at"), payload=bindparam("new_payload"),
    attempts=0, last_error=None, **_UNLOCKED,
))
_RETRY = Bulk(_pending_by_id().values(
    run_at=bindparam("new_run_at"), last_error=bindparam("error"), **_UNLOCKED
))
_BURY = Bulk(_pending_by_id().values(
    state="dead", finished_at=bindparam("now"), last_error=bindparam("error"), **_UNLOCKED
))
_TASK_COLUMNS = ("id", "kind", "order_id", "payload", "attempts", "max_attempts", "last_error")
_CLAIM = Claim.of(TASKS, and_(_T.state == "pending", _T.run_at <= NOW), ("run_at", "id"),
                  _TASK_COLUMNS)


def _task(row: Row) -> ClaimedTask:
    order_id = row["order_id"]
    return ClaimedTask(
        id=TaskId(row["id"]),
        kind=row["kind"],
        order_id=OrderId(order_id) if order_id is not None else None,
        payload=dict(row["payload"] or {}),
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        last_error=row["last_error"],
    )
