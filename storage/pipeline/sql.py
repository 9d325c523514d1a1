"""SQL shared by the pipeline's worker and its presses: tables, set-based helpers, row values.

Everything here runs on an `AsyncSession` inside the caller's transaction and never commits.
Statements take lists through expanding IN parameters, so each compiles once whatever the size
of the batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Table,
    and_,
    bindparam,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from domain.messages import Notification
from domain.orders import OrderEvent
from domain.tasks import NewTask
from storage import mapping
from storage.pipeline.bulk import Bulk
from storage.rows import OfferRow, OrderProgressRow
from storage.sql import ORDER_EVENTS, OUTBOX, TASKS, dialect_name, upsert_statement

OFFERS = cast(Table, OfferRow.__table__)
PROGRESS = cast(Table, OrderProgressRow.__table__)

Values = dict[str, Any]
MAX_ERROR = 2000  # characters of an error kept on a task or an outbox message


def is_postgres(session: AsyncSession) -> bool:
    return dialect_name(session) == "postgresql"


def pairs_in(
    session: AsyncSession,
    key: ColumnElement[Any],
    value: ColumnElement[Any],
    pairs: Sequence[tuple[int, int]],
) -> ColumnElement[bool]:
    """`(key, value)` is one of `pairs`, written so that each database finds them fast.

    SQLite scans the whole table for a bare row-value IN, so a plain IN on the key comes
    first to look rows up by the key's index. PostgreSQL compares a row against a literal
    list one by one, so there the pairs come as two arrays joined through unnest().
    """
    if is_postgres(session):
        listed = func.unnest(
            bindparam(None, [k for k, _ in pairs], type_=_BIGINTS),
            bindparam(None, [v for _, v in pairs], type_=_BIGINTS),
        ).table_valued("k", "v").render_derived()
        return tuple_(key, value).in_(select(listed.c.k, listed.c.v))
    return and_(key.in_(sorted({k for k, _ in pairs})), tuple_(key, value).in_(list(pairs)))


_BIGINTS = postgresql.ARRAY(BigInteger)


def insert_ignoring(session: AsyncSession, table: Table) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING: a row that breaks a unique index is skipped."""
    if is_postgres(session):
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


async def upsert_many(
    session: AsyncSession, table: Table, rows: Iterable[Values], *, key: str
) -> None:
    """Inserts each row, or updates the columns it names where `key` exists already."""
    by_columns: defaultdict[tuple[str, ...], list[Values]] = defaultdict(list)
    for row in rows:
        by_columns[tuple(sorted(row))].append(row)
    for columns, group in by_columns.items():
        upsert = _UPSERTS.get((table.name, columns))
        if upsert is None:
            upsert = _UPSERTS[(table.name, columns)] = Bulk(
                partial(upsert_statement, table=table, columns=columns, key=(key,)), columns
            )
        await upsert.run(session, group)


_UPSERTS: dict[tuple[str, tuple[str, ...]], Bulk] = {}
_EVENTS = Bulk(
    insert(ORDER_EVENTS).inline(),
    ["order_id", "from_status", "to_status", "at", "actor", "reason"],
)
_NOTES = Bulk(
    insert(OUTBOX).inline(),
    ["chat_id", "kind", "payload", "created_at", "next_attempt_at", "attempts"],
)
_TASKS = Bulk(
    insert(TASKS).inline(), ["kind", "order_id", "payload", "state", "attempts", "run_at"]
)


async def write_history(
    session: AsyncSession,
    events: Sequence[OrderEvent],
    notes: Sequence[Notification],
    tasks: Sequence[NewTask],
    at: datetime,
) -> None:
    """Appends events, outbox messages and new tasks, one executemany each."""
    await add_events(session, events)
    await _NOTES.run(session, [mapping.notification_values(note, at) for note in notes])
    await add_tasks(session, tasks)


async def add_events(session: AsyncSession, events: Iterable[OrderEvent]) -> None:
    """Appends the orders' events (the pipeline's moves, a new order's first)."""
    await _EVENTS.run(session, [mapping.event_values(event) for event in events])


async def add_tasks(session: AsyncSession, tasks: Iterable[NewTask]) -> None:
    """Adds pending tasks, due at their `run_at`."""
    await _TASKS.run(session, [mapping.task_values(task) for task in tasks])
