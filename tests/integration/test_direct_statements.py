"""The hot statements built once go to the driver directly (storage.pipeline.direct), on
SQLite and on PostgreSQL: the database must see exactly what SQLAlchemy would have sent it,
and the caller get the same rows.

Each case runs a statement both ways, each in a transaction rolled back after, and compares
the SQL text and the values that reached the driver's cursor, and the rows that came back.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import bindparam, event, insert, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import storage
from domain.errors import DuplicateOrder
from domain.ids import OrderId, UserId
from domain.partners import Partner, PartnerStatus
from domain.pipeline.ports import Lease
from domain.tasks import NewTask, TaskKind
from storage.db import make_engine, make_sessionmaker
from storage.pipeline import apply, assign, load, tasks
from storage.pipeline.bulk import Bulk
from storage.pipeline.direct import Plan
from storage.pipeline.sql import Prepared
from storage.repositories import _CARTS, _DISHES, _DROP_MANY_CARTS
from storage.sql import ORDERS, OUTBOX, TASKS, execute_count, ids, in_ids
from storage.uow import SqlUnitOfWork, uow_factory
from tests.integration.builders import CUSTOMER, T0, Catalog, add_catalog, new_order, store_order

PARTNER = UserId(8_000_000_001)
_EXPANDING = Prepared(select(ORDERS.c.id).where(ORDERS.c.id.in_(ids())).order_by(ORDERS.c.id))


@dataclass
class World:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    catalog: Catalog
    orders: list[OrderId]

    def uows(self) -> SqlUnitOfWork:
        return uow_factory(self.sessions)()


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    """Two orders of two dishes each, one of them taken by a partner; a cart."""
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    uows: Callable[[], SqlUnitOfWork] = uow_factory(sessions)
    catalog = await add_catalog(uows)
    first = await store_order(uows, new_order(catalog, T0))
    second = await store_order(uows, new_order(catalog, T0 + timedelta(minutes=1)))
    async with uows() as uow:
        await uow.partners.save(Partner(PARTNER, "Kiran", PartnerStatus.APPROVED, online=True))
        cart = await uow.carts.get(CUSTOMER)
        cart.add(catalog.pizza)
        await uow.carts.save(cart)
        await uow.commit()
    async with sessions() as session, session.begin():
        await session.execute(update(ORDERS).where(ORDERS.c.id == second.id)
                              .values(partner_id=PARTNER, status="PREPARING"))
    try:
        yield World(engine, sessions, catalog, [first.id, second.id])
    finally:
        await engine.dispose()


async def both_ways(
    world: World, run: Callable[[AsyncSession, bool], Any]
) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]], Any, Any]:
    """What reached the cursor and what came back, run directly and through SQLAlchemy,
    each in a transaction rolled back after."""
    sent: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, tuple(parameters)))

    outcomes = []
    event.listen(world.engine.sync_engine, "before_cursor_execute", seen)
    try:
        for direct in (True, False):
            async with world.sessions() as session:
                await session.connection()
                sent.clear()
                outcome = await run(session, direct)
                outcomes.append((list(sent), outcome))
                await session.rollback()
    finally:
        event.remove(world.engine.sync_engine, "before_cursor_execute", seen)
    (direct_sent, direct_got), (their_sent, their_got) = outcomes
    return direct_sent, their_sent, direct_got, their_got


def rows_of(prepared: Prepared[Any], values: dict[str, Any]) -> Callable[..., Any]:
    async def run(session: AsyncSession, direct: bool) -> Any:
        if direct:
            return list(await prepared.rows(session, values))
        return [tuple(row) for row in await session.execute(prepared(session), values)]

    return run


def mappings_of(prepared: Prepared[Any], values: dict[str, Any]) -> Callable[..., Any]:
    async def run(session: AsyncSession, direct: bool) -> Any:
        if direct:
            return [dict(row) for row in await prepared.mappings(session, values)]
        result = await session.execute(prepared(session), values)
        return [dict(row) for row in result.mappings()]

    return run


async def test_reads_send_what_sqlalchemy_sends_and_read_the_same_rows(world: World) -> None:
    ids = world.orders
    cases = [
        rows_of(load._ORDERS, {"ids": ids}),  # a join; integers, text, reals, booleans
        rows_of(load._LINES, {"ids": ids}),  # an outer join; JSON
        rows_of(load._ORDERS, {"ids": []}),  # an empty list
        rows_of(_EXPANDING, {"ids": ids}),  # a list PostgreSQL takes through the session
        rows_of(assign._PARTNER_OF, {"ids": [ids[1], 999]}),
        mappings_of(_DISHES, {"ids": [world.catalog.pizza.id, world.catalog.cola.id]}),
        mappings_of(_CARTS, {"ids": [CUSTOMER]}),  # columns of two tables, by name
    ]
    for case in cases:
        direct_sent, their_sent, direct_got, their_got = await both_ways(world, case)
        assert direct_sent == their_sent
        assert direct_got == their_got
        assert direct_got or case is cases[2]
    # the expanding IN went to the driver on SQLite, through the session on PostgreSQL
    assert (_EXPANDING._plans[world.engine.name] is None) == (world.engine.name == "postgresql")


async def test_writes_send_what_sqlalchemy_sends_and_return_the_same_rows(world: World) -> None:
    first, second = world.orders
    move = {"now": T0 + timedelta(hours=1), "expect": "PREPARING", "final": "DELIVERED"}
    pairs = ({"pairs_keys": [second], "pairs_values": [PARTNER]}
             if world.engine.name == "postgresql"
             else {"pairs_keys": [second], "pairs": [(second, PARTNER)]})
    cases = [
        # pairs (a row-value IN), a time bound, the terminal move's facts with their times
        rows_of(apply._MOVES[(False, True)], {**move, **pairs}),
        # a list and literals; nothing matches: an empty RETURNING
        rows_of(apply._MOVES[(True, False)],
                {**move, "expect": "CONFIRMED", "final": "PREPARING", "ids": [first, second]}),
    ]
    for case in cases:
        direct_sent, their_sent, direct_got, their_got = await both_ways(world, case)
        assert direct_sent == their_sent
        assert direct_got == their_got
    delivered = (await both_ways(world, cases[0]))[2]
    assert [row[0] for row in delivered] == [second]
    assert delivered[0][2] == T0 + timedelta(minutes=1)  # placed at: read back as a time


async def test_a_count_is_the_rows_matched(world: World) -> None:
    async def run(session: AsyncSession, direct: bool) -> Any:
        values = {"ids": [CUSTOMER, 999]}
        if direct:
            return await _DROP_MANY_CARTS.count(session, values)
        return await execute_count(session, _DROP_MANY_CARTS(session), values)

    direct_sent, their_sent, direct_got, their_got = await both_ways(world, run)
    assert direct_sent == their_sent
    assert direct_got == their_got == 1


async def test_a_column_left_to_its_onupdate_default_gets_it(world: World) -> None:
    """A claim sets `updated_at` through the column's onupdate, as SQLAlchemy would."""
    async with world.uows() as uow:
        for order_id in world.orders:
            await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, order_id, T0))
        await uow.commit()
    async with world.sessions() as session, session.begin():
        await session.execute(update(TASKS).values(updated_at=T0 - timedelta(days=1)))
    lease = Lease("w1", T0 + timedelta(hours=1), timedelta(hours=1), limit=10)
    async with world.sessions() as session, session.begin():
        claimed = await tasks.claim_rows(session, tasks._CLAIM, lease)
    assert len(claimed) == 2
    async with world.sessions() as session:
        rows = (await session.execute(TASKS.select())).mappings().all()
    assert {row["locked_by"] for row in rows} == {"w1"}
    assert all(row["updated_at"] > T0 for row in rows)  # the clock's now, not left as it was


@pytest.mark.parametrize("dialect", [sqlite.dialect(paramstyle="qmark"), asyncpg.dialect()],
                         ids=["sqlite", "postgres"])
def test_every_statement_run_directly_is_planned_with_sqlalchemys_column_names(
    dialect: Any,
) -> None:
    found = list(_prepared())
    assert len(found) >= 25
    for name, prepared in found:
        statement = prepared._build(dialect.name)
        compiled: Any = statement.compile(dialect=dialect)
        expected = tuple(column.keyname for column in compiled._result_columns)
        assert Plan(statement, dialect)._keys == expected, name


def _prepared() -> Any:
    """Every built-once statement in storage's modules, claims included."""
    for module_info in pkgutil.walk_packages(storage.__path__, "storage."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, tasks.Claim):
                value = value.statement
            if isinstance(value, Prepared):
                yield f"{module_info.name}.{name}", value
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, Prepared):
                        yield f"{module_info.name}.{name}[{key}]", item


async def test_new_orders_in_several_chunks_each_get_their_own_id(world: World) -> None:
    """SQLite takes a multi-row INSERT ... RETURNING a chunk of rows at a time."""
    orders = [new_order(world.catalog, T0 + timedelta(seconds=n), key=f"k{n}")
              for n in range(1_201)]  # three chunks
    async with world.uows() as uow:
        await uow.orders.add_many(orders)
        await uow.commit()
    assert len({order.id for order in orders}) == len(orders)
    async with world.uows() as uow:
        for order in (orders[0], orders[499], orders[500], orders[1_000], orders[-1]):
            stored = await uow.orders.get_by_idempotency_key(order.idempotency_key or "")
            assert stored is not None and stored.id == order.id
            assert stored.created_at == order.created_at


async def test_rows_written_in_bulk_are_stored_as_sqlalchemy_stores_them(world: World) -> None:
    """Bulk converts a column at a time: times (a repeated one, another zone, none at all),
    JSON, and the defaults of columns a row leaves out. SQLite must hold the same text."""
    at, later = T0, (T0 + timedelta(minutes=5)).astimezone(timezone(timedelta(hours=5, minutes=30)))
    rows: list[dict[str, Any]] = [
        {"chat_id": 1, "kind": "a", "payload": {"n": 1}, "created_at": at,
         "next_attempt_at": at, "attempts": 0, "sent_at": None},
        {"chat_id": 2, "kind": "b", "payload": {"n": [2, "two"]}, "created_at": at,
         "next_attempt_at": later, "attempts": 1, "sent_at": later},
    ]
    # a run whose rows leave columns out: the payload's and attempts' defaults
    defaulted = [{"chat_id": 3, "kind": "c", "created_at": later, "next_attempt_at": at,
                  "sent_at": at}]
    bulk = Bulk(insert(OUTBOX).inline(), ["chat_id", "kind", "payload", "created_at",
                                          "next_attempt_at", "attempts", "sent_at"])

    async def run(session: AsyncSession, direct: bool) -> Any:
        for run_rows in (rows, defaulted):
            if direct:
                await bulk.run(session, run_rows)
            else:
                for row in run_rows:
                    await session.execute(insert(OUTBOX), row)
        stored = await session.execute(text(
            "SELECT chat_id, kind, payload, created_at, next_attempt_at, attempts, sent_at "
            "FROM outbox WHERE chat_id IN (1, 2, 3) ORDER BY chat_id"))
        return [tuple(row) for row in stored]

    *_, direct_got, their_got = await both_ways(world, run)
    assert direct_got == their_got
    assert [row[0] for row in direct_got] == [1, 2, 3]
    assert direct_got[1][4] == direct_got[2][3] != direct_got[0][3]  # one instant, two zones


async def test_a_refused_statement_raises_as_through_sqlalchemy_and_changes_nothing(
    world: World,
) -> None:
    """The driver's errors come back as SQLAlchemy's (the store tells a busy database from a
    broken statement by them): a second order with a press's key is a DuplicateOrder, and a
    move to a state the table does not allow is an IntegrityError, its batch rolled back."""
    twice = new_order(world.catalog, T0, key="press-1")
    async with world.uows() as uow:
        await uow.orders.add_many([twice])
        await uow.commit()
    async with world.uows() as uow:
        with pytest.raises(DuplicateOrder):
            await uow.orders.add_many([new_order(world.catalog, T0, key="press-1")])
    async with world.uows() as uow:
        await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, world.orders[0], T0))
        await uow.commit()
    bogus = Prepared(update(TASKS).where(in_ids(TASKS.c.id)).values(state=bindparam("state")))
    async with world.sessions() as session:
        task_ids = [row[0] for row in await session.execute(TASKS.select())]
        with pytest.raises(IntegrityError, match=r"(?i)check constraint"):
            await bogus.count(session, {"ids": task_ids, "state": "lost"})
        await session.rollback()
        assert await bogus.count(session, {"ids": task_ids, "state": "done"}) == 1
    async with world.uows() as uow:
        stored = await uow.orders.get_by_idempotency_key("press-1")
        assert stored is not None and stored.id == twice.id


async def test_a_connection_the_server_closed_midway_is_dropped_from_the_pool(
    world: World,
) -> None:
    """A statement run directly on a connection the server has closed (a restart, here
    `pg_terminate_backend`) fails as through SQLAlchemy, and the connection is invalidated,
    not handed out again."""
    if world.engine.name != "postgresql":
        pytest.skip("a server closing the connection is PostgreSQL's case")
    dropped: list[Any] = []
    event.listen(world.engine.sync_engine, "invalidate", lambda *args: dropped.append(args))
    async with world.sessions() as session:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with world.engine.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as failed:
            await load._ORDERS.rows(session, {"ids": world.orders})
    assert failed.value.connection_invalidated
    assert dropped
    async with world.sessions() as session:  # the pool hands out a working connection
        assert len(await load._ORDERS.rows(session, {"ids": world.orders})) == 2
