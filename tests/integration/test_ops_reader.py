"""What /healthz and /metrics read from the database: the backlog of the queue, the outbox and
the inbox, and orders by status, by indexed queries only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, event, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.health import Backlog
from domain.orders import OrderStatus
from storage.ops import SqlOpsReader
from storage.sql import INBOX, OUTBOX, TASKS
from storage.uow import SqlUnitOfWork
from tests.integration.builders import T0, Catalog, new_order, store_order
from tests.scenes import move_order


def ago(seconds: float) -> datetime:
    return T0 - timedelta(seconds=seconds)


def task(state: str, run_at: datetime) -> dict[str, Any]:
    return {"kind": "confirm", "payload": {}, "state": state, "attempts": 0, "run_at": run_at,
            "created_at": run_at, "updated_at": run_at}


def message(due: datetime, **settled: datetime) -> dict[str, Any]:
    return {"chat_id": 1001, "kind": "order_ready", "payload": {}, "created_at": due,
            "next_attempt_at": due, "attempts": 0, **settled}


def update(update_id: int, received_at: datetime, **done: datetime) -> dict[str, Any]:
    return {"update_id": update_id, "chat_id": 1001, "kind": "message", "payload": {},
            "received_at": received_at, "attempts": 0, **done}


async def rows(sessions: async_sessionmaker[AsyncSession], table: Table,
               *values: dict[str, Any]) -> None:
    async with sessions() as session, session.begin():
        for row in values:  # one by one: an executemany takes its columns from the first
            await session.execute(insert(table).values(row))


async def test_an_empty_database_has_no_backlog(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    assert await SqlOpsReader(session_factory).backlog(T0) == Backlog(0, 0, None, 0, 0, None,
                                                                       0, None)


async def test_the_backlog_counts_what_waits_and_dates_the_oldest_due(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await rows(session_factory, TASKS, task("pending", ago(30)), task("pending", ago(10)),
               task("pending", ago(-60)), task("done", ago(90)), task("dead", ago(80)))
    await rows(session_factory, OUTBOX, message(ago(5)), message(ago(-20)),
               message(ago(50), sent_at=ago(49)), message(ago(40), given_up_at=ago(39)))
    await rows(session_factory, INBOX, update(1, ago(3)), update(2, ago(9), done_at=ago(8)))

    backlog = await SqlOpsReader(session_factory).backlog(T0)

    assert backlog == Backlog(
        queue_depth=3, queue_due=2, queue_oldest_due=ago(30), dead_letters=1,
        outbox_backlog=2, outbox_oldest_due=ago(5), inbox_backlog=1, inbox_oldest=ago(3))
    assert backlog.queue_lag(T0) == timedelta(seconds=30)
    assert backlog.outbox_lag(T0) == timedelta(seconds=5)


async def test_the_writers_turns_are_counted_on_sqlite_only(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine,
) -> None:
    reader = SqlOpsReader(session_factory)
    before = reader.writer()
    await rows(session_factory, TASKS, task("pending", ago(30)))

    after = reader.writer()

    if engine.dialect.name == "sqlite":
        assert before is not None and after is not None and after.turns == before.turns + 1
    else:  # PostgreSQL's writers do not take turns in the process
        assert before is None and after is None


async def test_orders_are_counted_by_status(
    session_factory: async_sessionmaker[AsyncSession], uow_factory: Callable[[], SqlUnitOfWork],
    catalog: Catalog,
) -> None:
    orders = [await store_order(uow_factory, new_order(catalog, T0)) for _ in range(3)]
    async with uow_factory() as uow:
        await move_order(uow.session, orders[0].id, OrderStatus.CANCELLED)
        await uow.commit()

    counts = await SqlOpsReader(session_factory).orders_by_status()

    assert counts == {OrderStatus.CREATED.value: 2, OrderStatus.CANCELLED.value: 1}


async def test_the_backlog_and_the_orders_read_indexes_and_scan_no_table(
    engine: AsyncEngine,
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite, whose EXPLAIN QUERY PLAN says it in words")
    reader = SqlOpsReader(async_sessionmaker(engine))
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        await reader.backlog(T0)
        await reader.orders_by_status()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)

    async with engine.connect() as connection:
        for statement, parameters in statements:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                    parameters)
            steps = [row[-1] for row in plan.all()
                     if row[-1].startswith(("SCAN", "SEARCH")) and "CONSTANT ROW" not in row[-1]]
            assert steps and all("INDEX" in step for step in steps), steps
