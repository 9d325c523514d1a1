"""Reads for health checks and metrics (domain.health.OpsReader): one round trip a scrape.

Every backlog figure is a range of an existing index, so a scrape stays cheap however many
tasks, messages and updates were ever stored: tasks by (state, run_at), the outbox by
(sent_at, next_attempt_at) (its unsent rows, a few given-up ones among them), the inbox by
(done_at, ...). Orders by status is a GROUP BY over the index on `orders.status`: it reads
one index entry per order, fine for now; past millions of orders it wants a counter table.
The SQLite writer's turns are not read from the database: the process's write lock counts
them (storage/write_lock.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Table, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.health import Backlog, OpsReader, WriterFigures
from storage.sql import INBOX, ORDERS, OUTBOX, TASKS
from storage.write_lock import WriteLock


class SqlOpsReader:
    """Implements domain.health.OpsReader."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory
        dialect = getattr(session_factory.kw.get("bind"), "dialect", None)
        lock = getattr(getattr(dialect, "loaded_dbapi", None), "write_lock", None)  # SQLite's
        self._write_lock = lock if isinstance(lock, WriteLock) else None

    def writer(self) -> WriterFigures | None:
        return self._write_lock.figures() if self._write_lock is not None else None

    async def backlog(self, now: datetime) -> Backlog:
        t, o, i = TASKS.c, OUTBOX.c, INBOX.c
        pending = t.state == "pending"
        unsent = and_(o.sent_at.is_(None), o.given_up_at.is_(None))
        figures = select(
            _one(func.count(), TASKS, pending),
            _one(func.count(), TASKS, pending, t.run_at <= now),
            _one(func.min(t.run_at), TASKS, pending, t.run_at <= now),
            _one(func.count(), TASKS, t.state == "dead"),
            _one(func.count(), OUTBOX, unsent),
            _one(func.min(o.next_attempt_at), OUTBOX, unsent, o.next_attempt_at <= now),
            _one(func.count(), INBOX, i.done_at.is_(None)),
            _one(func.min(i.received_at), INBOX, i.done_at.is_(None)),
        )
        async with self._sessions() as session:
            row = (await session.execute(figures)).one()
        return Backlog(
            queue_depth=row[0], queue_due=row[1], queue_oldest_due=row[2], dead_letters=row[3],
            outbox_backlog=row[4], outbox_oldest_due=row[5],
            inbox_backlog=row[6], inbox_oldest=row[7],
        )

    async def orders_by_status(self) -> Mapping[str, int]:
        stmt = select(ORDERS.c.status, func.count()).group_by(ORDERS.c.status)
        async with self._sessions() as session:
            return {status: count for status, count in (await session.execute(stmt)).all()}


def _one(
    column: ColumnElement[Any], table: Table, *where: ColumnElement[bool]
) -> ScalarSelect[Any]:
    """`(SELECT column FROM table WHERE ...)`: one figure of the backlog's one row."""
    return select(column).select_from(table).where(*where).scalar_subquery()


def _implements(reader: SqlOpsReader) -> OpsReader:
    return reader  # mypy checks the class against the port
