"""The hot paths' query plans on PostgreSQL (issue 16): every statement a customer's, a
partner's, the jobs' and the admins' screens send, as the services send them, is planned with
an index on the tables that grow with history (orders, their items and events, the outbox, the
queue): no sequential scan of them, whatever their size."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.context import Services
from bot.settings import load_settings
from bot.wiring import build_services, seed_database
from domain.customers import Customer
from domain.ids import RestaurantId, UserId
from domain.orders import OrderStatus
from domain.views import TrackingMessage
from storage.db import make_engine, make_sessionmaker
from storage.partner_repository import SqlPartnerRepository
from tests.integration.builders import Catalog, FixedClock

CUSTOMER, PARTNER = UserId(1001), UserId(2001)
GROWING = ("orders", "order_items", "order_events", "outbox", "tasks", "offers", "stats_hours",
           "stats_minutes")
SCANNED = re.compile(rf"Seq Scan on ({'|'.join(GROWING)})\b")


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[tuple[Services, AsyncEngine]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("the plans are checked on PostgreSQL, as the issue asks")
    settings = load_settings(_env_file=None, database_url=database_url)
    await seed_database(settings)
    engine = make_engine(database_url)
    try:
        clock = FixedClock(datetime.now(UTC))  # the history is months behind it
        yield build_services(settings, make_sessionmaker(engine), clock), engine
    finally:
        await engine.dispose()


async def a_year_behind(engine: AsyncEngine, orders: int = 60_000) -> None:
    """History the screens must not read: another customer's delivered orders of past months,
    their events, the messages sent and the tasks done for them; then fresh planner statistics,
    so the planner chooses as it would on a big database."""
    async with engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO customers (id, name, created_at) VALUES (5, 'Past', now())"))
        await connection.execute(text(
            "INSERT INTO orders (customer_id, restaurant_id, status, currency, subtotal, "
            "delivery_fee, discount, tip, total, paid_online, address, note, created_at, "
            "updated_at) SELECT 5, (SELECT min(id) FROM restaurants), 'DELIVERED', 'INR', 100, "
            "0, 0, 0, 100, false, 'x', '', now() - interval '30 days' - g * interval '1 minute', "
            "now() - interval '30 days' FROM generate_series(1, :n) g"), {"n": orders})
        await connection.execute(text(
            "INSERT INTO order_items (order_id, position, menu_item_id, name, unit_price, "
            "quantity, from_stock, options) SELECT id, 0, 1, 'Pizza', 100, 1, false, '[]' "
            "FROM orders WHERE customer_id = 5"))
        await connection.execute(text(
            "INSERT INTO partners (id, name, status, online, created_at) "
            "VALUES (6, 'Past rider', 'REVOKED', false, now())"))
        await connection.execute(text(
            "INSERT INTO offers (order_id, partner_id, state, offered_at, expires_at, "
            "closed_at) SELECT id, 6, 'accepted', created_at, created_at, created_at "
            "FROM orders WHERE customer_id = 5"))
        await connection.execute(text(
            "INSERT INTO order_events (order_id, from_status, to_status, at, actor, reason) "
            "SELECT id, 'OUT_FOR_DELIVERY', 'DELIVERED', created_at, 'system', '' FROM orders "
            "WHERE customer_id = 5"))
        await connection.execute(text(
            "INSERT INTO outbox (chat_id, kind, payload, created_at, next_attempt_at, "
            "attempts, sent_at) SELECT 5, 'order_ready', '{}', created_at, created_at, 1, "
            "created_at FROM orders WHERE customer_id = 5"))
        await connection.execute(text(
            "INSERT INTO tasks (kind, payload, state, attempts, run_at, created_at, "
            "updated_at, finished_at) SELECT 'confirm', '{}', 'done', 1, created_at, "
            "created_at, created_at, created_at FROM orders WHERE customer_id = 5"))
        await connection.execute(text(  # /stats' totals of the year's hours
            "INSERT INTO stats_hours SELECT date_trunc('hour', now()) - h * interval '1 hour',"
            " s, 40, 4000, 0, 0, 0, 0, 40, 72000, 4 FROM generate_series(1, 8760) h,"
            " unnest(array['DELIVERED', 'CANCELLED']) s"))
        await connection.execute(text(
            "INSERT INTO stats_minutes SELECT date_trunc('hour', now()) - h * interval '1 hour',"
            " 'took', m, 8 FROM generate_series(1, 8760) h, generate_series(25, 34) m"))
        await connection.execute(text("ANALYZE"))


async def walk_the_hot_paths(services: Services) -> None:
    """What the chat and the jobs do most: browse, fill a cart, check out, place, follow the
    order; the queue and the outbox; a partner's job; the admins' screens."""
    asha = await services.customers.register_customer(CUSTOMER, "Asha")
    listed = await services.shopping.restaurants(0)
    dominos = next(e.restaurant for e in listed.entries if e.restaurant.name == "Dominos")
    menu = await services.shopping.menu(CUSTOMER, RestaurantId(dominos.id))
    pizza = next(item for item in menu.items.entries if not item.groups)
    await services.shopping.add(Customer(asha.id, asha.name), pizza.id)
    await services.shopping.cart(CUSTOMER)
    await services.checkout.start(CUSTOMER)
    summary = await services.checkout.receive_text(CUSTOMER, "12 Residency Road, Bengaluru")
    assert summary is not None
    placed = await services.checkout.place(CUSTOMER, summary.token, TrackingMessage(CUSTOMER, 7))
    order_id = placed.view.order.id  # type: ignore[union-attr]
    await services.orders.recent(CUSTOMER)
    await services.orders.view(CUSTOMER, order_id)
    await services.worker.run_once()
    await services.outbox.claim(services.clock.now())
    admin = services.admin
    await services.partners.join(PARTNER, "Ravi")
    await admin.partners.approve_partner(UserId(9001), PARTNER)
    await services.partners.job(PARTNER)
    await admin.orders.orders()
    await admin.orders.orders(OrderStatus.CONFIRMED)
    await admin.orders.order_detail(order_id)
    await admin.orders.dead_letters()
    await admin.partners.partners()
    await admin.catalogue.audit(20)
    await admin.stats.stats()


async def test_no_hot_path_scans_a_table_that_grows_with_history(
    live: tuple[Services, AsyncEngine],
) -> None:
    services, engine = live
    await a_year_behind(engine)
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
             executemany: bool) -> None:
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "UPDATE",
                                                                      "DELETE", "WITH")):
            sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        await walk_the_hot_paths(services)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)

    scans = []
    async with engine.connect() as connection:
        for statement, parameters in {s: p for s, p in sent}.items():  # each statement once
            plan = "\n".join(row[0] for row in (await connection.exec_driver_sql(
                f"EXPLAIN {statement}", parameters)).all())
            if SCANNED.search(plan):
                scans.append(f"{statement}\n{plan}")
    assert len(sent) > 30
    assert scans == [], "\n\n".join(scans)


async def test_counting_the_orders_waiting_for_a_rider_reads_no_history_on_sqlite(
    database_url: str, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog,
) -> None:
    """Every summary counts the orders that wait for a rider (the estimate's wait). Orders
    cancelled before anyone took them keep no partner forever; with ten million orders behind
    it, an index on the partner that holds them too made SQLite read a million of them for
    that count (1.2 s a summary: bench/data.py). Checked in SQLite's own words."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the plan is checked on SQLite, whose planner chose the history")
    engine = session_factory.kw["bind"]
    async with engine.begin() as connection:
        await connection.execute(text(  # riders of the past, each with a few deliveries
            "INSERT INTO partners (id, name, status, online, created_at) WITH RECURSIVE "
            "g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000) SELECT 10000 + n, "
            "'Past rider', 'REVOKED', false, '2026-01-01' FROM g"))
        await connection.execute(text(
            "INSERT INTO orders (customer_id, restaurant_id, status, currency, subtotal, "
            "delivery_fee, discount, tip, total, paid_online, address, note, partner_id, "
            "created_at, updated_at) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
            "FROM g WHERE n < 20000) SELECT :customer, :kitchen, CASE WHEN "
            "n % 10 = 0 THEN 'CANCELLED' ELSE 'DELIVERED' END, 'INR', 100, 0, 0, 0, 100, false, "
            "'x', '', CASE WHEN n % 10 = 0 THEN NULL ELSE 10001 + n % 2000 END, '2026-01-01', "
            "'2026-01-01' "
            "FROM g"), {"customer": CUSTOMER, "kitchen": catalog.restaurant.id})
        await connection.execute(text("ANALYZE"))
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
             _executemany: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        async with session_factory() as session:
            assert (await SqlPartnerRepository(session).riders()).waiting == 0
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)

    statement, parameters = sent[-1]
    async with engine.connect() as connection:
        plan = "\n".join(row[3] for row in (await connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters)).all())
    orders = plan.splitlines()[-1]  # the count of waiting orders comes last
    assert re.search(r"orders USING (COVERING )?INDEX ix_orders_(status_id|under_way)", orders), (
        plan)
