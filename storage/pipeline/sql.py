"""SQL shared by the pipeline's worker and its presses: tables, set-based helpers, row values.

Everything here runs on an `AsyncSession` inside the caller's transaction and never commits.
Statements take lists as one parameter (`storage.sql.in_ids`: an expanding IN on SQLite, an
array on PostgreSQL), so each compiles once whatever the size of the batch, and the hot paths'
statements are built once (`Prepared`), not at every call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    ClauseElement,
    ColumnElement,
    Dialect,
    Executable,
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
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from domain.messages import Notification
from domain.orders import OrderEvent
from domain.tasks import NewTask
from storage import mapping
from storage.pipeline.bulk import Bulk
from storage.pipeline.direct import Plan, Unplanned
from storage.rows import OfferRow, OrderProgressRow
from storage.sql import ORDER_EVENTS, OUTBOX, TASKS, dialect_name, ids, in_ids, upsert_statement
from storage.types import UTCDateTime

OFFERS = cast(Table, OfferRow.__table__)
PROGRESS = cast(Table, OrderProgressRow.__table__)

Values = dict[str, Any]
MAX_ERROR = 2000  # characters of an error kept on a task or an outbox message


def is_postgres(session: AsyncSession) -> bool:
    return dialect_name(session) == "postgresql"


S = TypeVar("S", bound=Executable)


class Prepared(Generic[S]):
    """A statement built once for each database it runs on, its lists and times bound
    parameters (`ids`, `pairs_in`, `NOW`) given at each run.

    Building a statement at every call cost more than running it: for a batch of sixty keys
    here, building an UPDATE ... WHERE id IN (...) and deriving its cache key took 120 µs of
    the 220 its run took in all, and for pairs 210 of 460, each key checked and wrapped as a
    literal. `build` takes the dialect's name, or is the statement itself where it is the
    same on both.

    Run it with `rows`, `mappings` or `count`: those go to the driver directly
    (storage.pipeline.direct), on SQLite and on PostgreSQL; a statement the driver cannot be
    given directly runs through the session, as `session.execute(prepared(session), values)`.
    """

    def __init__(self, build: S | Callable[[str], S]) -> None:
        self._build: Callable[[str], S] = build if callable(build) else (lambda _: build)
        self._built: dict[str, S] = {}
        self._plans: dict[str, Plan | None] = {}  # None: run through the session

    def __call__(self, session: AsyncSession) -> S:
        return self._statement(dialect_name(session))

    async def rows(self, session: AsyncSession, values: dict[str, Any]) -> Sequence[Any]:
        """Runs the statement with these values; its rows, each a tuple by position, from
        the driver directly (storage.pipeline.direct)."""
        return cast(Sequence[Any], await session.run_sync(self._rows, values))

    async def mappings(
        self, session: AsyncSession, values: dict[str, Any]
    ) -> Sequence[Mapping[Any, Any]]:
        """As `rows`, each row a mapping of its columns' names to their values."""
        return cast(Sequence[Mapping[Any, Any]], await session.run_sync(self._mappings, values))

    async def count(self, session: AsyncSession, values: dict[str, Any]) -> int:
        """Runs an UPDATE or DELETE with these values; how many rows it matched."""
        return cast(int, await session.run_sync(self._count, values))

    # Each runs in SQLAlchemy's greenlet (`run_sync`), as `session.execute` itself does: the
    # connection and the statement's run cross into it once, not once each.
    def _rows(self, session: Session, values: dict[str, Any]) -> Sequence[Any]:
        plan, result = self._run(session, values)
        return plan.rows(result) if plan is not None else result.all()

    def _mappings(self, session: Session, values: dict[str, Any]) -> Sequence[Mapping[Any, Any]]:
        plan, result = self._run(session, values)
        return plan.mappings(result) if plan is not None else result.mappings().all()

    def _count(self, session: Session, values: dict[str, Any]) -> int:
        return int(self._run(session, values)[1].rowcount)

    def _run(self, session: Session, values: dict[str, Any]) -> tuple[Plan | None, Any]:
        connection = session.connection()
        dialect = connection.dialect
        try:
            plan = self._plans[dialect.name]
        except KeyError:
            plan = self._plans[dialect.name] = _plan(self._statement(dialect.name), dialect)
        if plan is None:
            return None, session.execute(self._statement(dialect.name), values)
        return plan, plan.run(connection, values)

    def _statement(self, dialect: str) -> S:
        statement = self._built.get(dialect)
        if statement is None:
            statement = self._built[dialect] = self._build(dialect)
        return statement


def _plan(statement: Any, dialect: Dialect) -> Plan | None:
    """How `statement` runs through the driver; None where it cannot (a driver that does not
    number its parameters, or a list that is not an array on PostgreSQL). Any other refusal
    (lists Plan cannot lay out) is a bug, and raised."""
    try:
        return Plan(cast(ClauseElement, statement), dialect)
    except Unplanned:
        return None


NOW = bindparam("now", type_=UTCDateTime())


def pairs_in(
    dialect: str, key: ColumnElement[Any], value: ColumnElement[Any], name: str = "pairs"
) -> ColumnElement[bool]:
    """`(key, value)` is one of the pairs given as `pair_values(session, pairs, name)`,
    written so that each database finds them fast.

    SQLite scans the whole table for a bare row-value IN, so a plain IN on the key comes
    first to look rows up by the key's index. PostgreSQL compares a row against a literal
    list one by one, so there the pairs come as two arrays joined through unnest().
    """
    if dialect == "postgresql":
        listed = func.unnest(
            bindparam(f"{name}_keys", type_=_BIGINTS), bindparam(f"{name}_values", type_=_BIGINTS),
        ).table_valued("k", "v").render_derived()
        return tuple_(key, value).in_(select(listed.c.k, listed.c.v))
    return and_(in_ids(key, f"{name}_keys"), tuple_(key, value).in_(ids(name)))


def pair_values(
    session: AsyncSession, pairs: Sequence[tuple[int, int]], name: str = "pairs"
) -> dict[str, Any]:
    """The parameters of `pairs_in(..., name)` for these pairs."""
    if is_postgres(session):
        return {f"{name}_keys": [k for k, _ in pairs], f"{name}_values": [v for _, v in pairs]}
    return {f"{name}_keys": sorted({k for k, _ in pairs}), name: list(pairs)}


_BIGINTS = postgresql.ARRAY(BigInteger)


def insert_ignoring(dialect: str, table: Table) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING: a row that breaks a unique index is skipped."""
    if dialect == "postgresql":
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
