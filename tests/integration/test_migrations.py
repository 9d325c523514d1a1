"""The Alembic history builds exactly the schema the storage/rows/ package describes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, bindparam, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from domain.ids import OrderId
from domain.orders import OrderStatus
from domain.services.admin.stats import StatsAdmin
from domain.stats import OrderFact, today_and_last_7_days, totals_of
from storage.admin_repositories import admin_uow_factory
from storage.db import make_engine, make_sessionmaker
from storage.migrate import head_revision, upgrade, upgrade_to_head
from storage.revision import HEAD, current_revision, is_at_head
from storage.rows import Base
from storage.seed import seed
from storage.types import UTCDateTime
from storage.uow import uow_factory
from tests.integration.builders import FixedClock


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def pending_schema_diff(url: str) -> list[Any]:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_diff)
    finally:
        await engine.dispose()


async def test_upgrading_an_empty_database_leaves_no_schema_diff(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini around: the config is built in code
    assert await current_revision(empty_database_url) is None
    assert not await is_at_head(empty_database_url)

    await upgrade_to_head(empty_database_url)

    assert await current_revision(empty_database_url) == head_revision() is not None
    assert await is_at_head(empty_database_url)
    assert await pending_schema_diff(empty_database_url) == []


async def test_two_migrators_at_once_both_succeed(empty_database_url: str) -> None:
    await asyncio.gather(*(upgrade_to_head(empty_database_url) for _ in range(3)))

    assert await is_at_head(empty_database_url)
    assert await pending_schema_diff(empty_database_url) == []


async def test_upgrading_twice_changes_nothing_and_keeps_the_data(empty_database_url: str) -> None:
    await upgrade_to_head(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        report = await seed(uow_factory(make_sessionmaker(engine)), "INR")
        await upgrade_to_head(empty_database_url)
        async with engine.connect() as connection:
            names = (await connection.execute(text("SELECT count(*) FROM restaurants"))).scalar()
            versions = await connection.execute(text("SELECT count(*) FROM alembic_version"))
    finally:
        await engine.dispose()
    assert names == report.restaurants_added > 0
    assert versions.scalar() == 1
    assert await pending_schema_diff(empty_database_url) == []


def test_the_head_a_running_bot_checks_for_is_the_newest_migration() -> None:
    """`foodbot run` checks the revision without Alembic, against storage.revision.HEAD: a new
    migration must move HEAD too, or every bot would refuse a migrated database."""
    assert head_revision() == HEAD


async def test_a_database_behind_the_newest_migration_is_not_at_head(
    empty_database_url: str,
) -> None:
    await upgrade_to_head(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    finally:
        await engine.dispose()

    assert await current_revision(empty_database_url) == "0006"
    assert not await is_at_head(empty_database_url)


async def test_orders_placed_before_bills_keep_their_total_as_the_dishes(
    empty_database_url: str,
) -> None:
    """0008 splits an order's total into its parts: an order stored before it was all dishes."""
    await upgrade(empty_database_url, "0007")
    engine = make_engine(empty_database_url)
    try:
        async with engine.begin() as connection:
            for statement in (
                "INSERT INTO customers (id, name, created_at) VALUES (1001, 'Asha', :at)",
                "INSERT INTO restaurants (id, name, address, is_open, prep_minutes, created_at,"
                " updated_at) VALUES (1, 'Dominos', 'MG Road', true, 20, :at, :at)",
                "INSERT INTO orders (id, customer_id, restaurant_id, status, currency, total,"
                " address, note, created_at, updated_at) VALUES (7, 1001, 1, 'DELIVERED', 'INR',"
                " 53500, 'Jayanagar', '', :at, :at)",
            ):
                stmt = text(statement).bindparams(bindparam("at", type_=UTCDateTime()))
                await connection.execute(stmt, {"at": datetime(2026, 11, 1, 10, tzinfo=UTC)})
        await upgrade_to_head(empty_database_url)
        async with engine.connect() as connection:
            order = (await connection.execute(text(
                "SELECT subtotal, delivery_fee, discount, tip, total FROM orders"))).one()
            terms = (await connection.execute(text(
                "SELECT delivery_fee, free_delivery_from, min_order FROM restaurants"))).one()
    finally:
        await engine.dispose()

    assert tuple(order) == (53500, 0, 0, 0, 53500)
    assert tuple(terms) == (0, None, 0)
    assert await pending_schema_diff(empty_database_url) == []


async def test_orders_finished_before_the_stats_totals_are_added_up_by_the_migration(
    empty_database_url: str,
) -> None:
    """0028 keeps /stats' totals as orders finish; the orders that finished before it are
    added up when it runs, so /stats shows what it showed before the upgrade."""
    placed = datetime(2026, 11, 30, 9, 10, tzinfo=UTC)
    await upgrade(empty_database_url, "0027")
    engine = make_engine(empty_database_url)
    order = ("INSERT INTO orders (id, customer_id, restaurant_id, status, currency, subtotal,"
             " delivery_fee, discount, tip, total, paid_online, expected_at, address, note,"
             " created_at, updated_at) VALUES (:id, 1001, 1, :status, 'INR', 50000, 3000, 0,"
             " :tip, :total, :online, :expected, 'Jayanagar', '', :at, :at)")
    event = ("INSERT INTO order_events (order_id, from_status, to_status, at, actor, reason)"
             " VALUES (:id, :was, :status, :at, 'system', '')")
    minutes = [35, 52, 18]
    try:
        async with engine.begin() as connection:
            at = bindparam("at", type_=UTCDateTime())
            await connection.execute(text(
                "INSERT INTO customers (id, name, created_at) VALUES (1001, 'Asha', :at)"
            ).bindparams(at), {"at": placed})
            await connection.execute(text(
                "INSERT INTO restaurants (id, name, address, is_open, prep_minutes,"
                " delivery_fee, min_order, answer_within_s, unanswered, time_zone,"
                " travel_minutes, closed_on, created_at, updated_at) VALUES (1, 'Dominos',"
                " 'MG Road', true, 20, 0, 0, 300, 'cancel', 'UTC', 20, '[]', :at, :at)"
            ).bindparams(at), {"at": placed})
            stored = text(order).bindparams(at, bindparam("expected", type_=UTCDateTime()))
            for n, took in enumerate(minutes, 1):
                await connection.execute(stored, {
                    "id": n, "status": "DELIVERED", "tip": 100 * n, "total": 53000 + 100 * n,
                    "online": n == 2,
                    "expected": placed + timedelta(minutes=30), "at": placed})
                await connection.execute(text(event).bindparams(at), {
                    "id": n, "was": "OUT_FOR_DELIVERY", "status": "DELIVERED",
                    "at": placed + timedelta(minutes=took)})
            for n, status in ((4, "CANCELLED"), (5, "CREATED")):
                await connection.execute(stored, {"id": n, "status": status, "tip": 0,
                                                  "total": 53000, "online": False, "expected": None,
                                                  "at": placed + timedelta(hours=1)})
        await upgrade_to_head(empty_database_url)
        now = placed + timedelta(hours=3)
        report = await StatsAdmin(admin_uow_factory(make_sessionmaker(engine)),
                                  FixedClock(now)).stats()
    finally:
        await engine.dispose()

    facts = [OrderFact(OrderId(n), OrderStatus.DELIVERED, 53000 + 100 * n, placed,
                       placed + timedelta(minutes=took), 3000, 0, 100 * n, n == 2,
                       placed + timedelta(minutes=30)) for n, took in enumerate(minutes, 1)]
    facts += [OrderFact(OrderId(n), status, 53000, placed + timedelta(hours=1))
              for n, status in ((4, OrderStatus.CANCELLED), (5, OrderStatus.CREATED))]
    assert report == today_and_last_7_days(now, totals_of(facts), 0)
    assert (report.today.total_orders, report.today.deliveries, report.today.late) == (5, 3, 2)
    assert report.today.p90_minutes == 52
