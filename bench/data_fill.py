"""bench/data.py's year of data, written in bulk: each table filled by one INSERT ... SELECT
over generated numbers (PostgreSQL's generate_series, a recursive CTE on SQLite), so a million
orders take seconds, not the hours the chat path would. Rows as the code writes them: the same
columns, statuses, timestamps in UTC."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

FIRST_CUSTOMER, FIRST_PARTNER, HEAVY = 100_000_000, 200_000_000, 5
YEAR_S, MONTH_S = 365 * 86_400, 30 * 86_400
NEW = "FROM orders WHERE id > :last"  # the orders a fill just wrote: above the bound `last`


def numbers(dialect: str) -> str:
    """`FROM` rows g(n) for n in 1..:n."""
    if dialect == "postgresql":
        return "generate_series(1, :n) AS g(n)"
    return "g"


def with_numbers(dialect: str) -> str:
    return "" if dialect == "postgresql" else (
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :n) ")


def ago(dialect: str, seconds: str) -> str:
    """The moment `seconds` (an SQL expression) before now, as the code stores a datetime."""
    if dialect == "postgresql":
        return f"(now() - ({seconds}) * interval '1 second')"
    return f"(strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || ({seconds}) || ' seconds') || '.000000')"


async def fill(engine: AsyncEngine, *, customers: int, orders: int, heavy: int,
               partners: int = 2_000, restaurants: int = 2_000, dishes: int = 25
               ) -> dict[str, Any]:
    """Fills the (seeded) database; returns its size."""
    dialect = engine.dialect.name
    span = YEAR_S / max(orders, 1)  # seconds between two orders, over the year

    async def run(sql: str, **values: Any) -> None:
        async with engine.begin() as connection:
            await connection.execute(text(sql), values)

    if dialect == "postgresql":
        async def insert(table: str, columns: str, select: str, n: int, **values: Any) -> None:
            await run(f"INSERT INTO {table} ({columns}) SELECT {select} FROM {numbers(dialect)}",
                      n=n, **values)
    else:
        async def insert(table: str, columns: str, select: str, n: int, **values: Any) -> None:
            await run(f"INSERT INTO {table} ({columns}) {with_numbers(dialect)}"
                      f"SELECT {select} FROM g", n=n, **values)

    now = ago(dialect, "0")
    await insert("restaurants", "name, address, is_open, prep_minutes, delivery_fee, min_order, "
                 "answer_within_s, unanswered, time_zone, travel_minutes, closed_on, "
                 "created_at, updated_at",
                 f"'Kitchen ' || n, 'Street ' || n, true, 20, 0, 0, 300, 'cancel', "
                 f"'Asia/Kolkata', 20, '[]', {now}, {now}", restaurants)
    await insert("menu_items", "restaurant_id, name, price, available, description, category",
                 "(SELECT min(id) FROM restaurants WHERE name LIKE 'Kitchen %') + (n - 1) / "
                 ":per, 'Dish ' || n, 10000 + n % 500, true, '', 'Menu'", restaurants * dishes,
                 per=dishes)
    await insert("customers", "id, name, created_at",
                 f":first + n, 'Customer ' || n, {ago(dialect, 'n % 31536000')}", customers,
                 first=FIRST_CUSTOMER)
    await run(f"INSERT INTO customers (id, name, created_at) VALUES ({HEAVY}, 'Heavy', {now})")
    await insert("partners", "id, name, status, online, created_at",
                 f":first + n, 'Rider ' || n, 'APPROVED', false, {now}", partners,
                 first=FIRST_PARTNER)
    async with engine.connect() as connection:
        last = (await connection.execute(text("SELECT coalesce(max(id), 0) FROM orders"))
                ).scalar_one()
        kitchens = (await connection.execute(text("SELECT min(id), count(*) FROM restaurants"))
                    ).one()
    customer = f"CASE WHEN n <= :heavy THEN {HEAVY} ELSE :first + 1 + n % :customers END"
    status = "CASE WHEN n % 10 = 0 THEN 'CANCELLED' ELSE 'DELIVERED' END"
    span_s = "CAST(:span AS FLOAT)"  # else PostgreSQL takes it for an integer, as n is
    created = ago(dialect, f"3600 + n * {span_s}")  # delivered 20 to 60 minutes later
    ended = ago(dialect, f"3600 + n * {span_s} - 60 * (20 + n % 41)")
    await insert("orders", "customer_id, restaurant_id, status, currency, subtotal, delivery_fee, "
                 "discount, tip, total, paid_online, address, note, partner_id, created_at, "
                 "updated_at",
                 f"{customer}, :kitchen + n % :kitchens, {status}, 'INR', 25000, 0, 0, 0, 25000, "
                 f"false, 'Flat ' || n, '', CASE WHEN n % 10 = 0 THEN NULL ELSE :rider + n % "
                 f":riders END, {created}, {ended}",
                 orders, heavy=heavy, first=FIRST_CUSTOMER, customers=customers, span=span,
                 kitchen=kitchens[0], kitchens=kitchens[1], rider=FIRST_PARTNER + 1,
                 riders=partners)
    await dishes_and_moves(run, last)
    await run("INSERT INTO offers (order_id, partner_id, state, offered_at, expires_at, "
              f"closed_at) SELECT id, partner_id, 'accepted', created_at, created_at, "
              f"created_at {NEW} AND partner_id IS NOT NULL", last=last)
    recent = f"{NEW} AND created_at > {ago(dialect, str(MONTH_S))}"  # what retention keeps
    await sent_and_done(run, recent, "created_at", last)
    await stats_totals(run, dialect, last)
    await run("ANALYZE")
    return {"size_mb": round(await size_bytes(engine) / 2**20, 1)}


async def dishes_and_moves(run: Any, last: int) -> None:
    """Each order above id `last`: its dish, and its moves (placed, confirmed, and from out for
    delivery to its status when it was last updated)."""
    await run("INSERT INTO order_items (order_id, position, menu_item_id, name, unit_price, "
              "quantity, from_stock, options) SELECT id, 0, 1, 'Dish', 25000, 1, false, "
              f"NULL {NEW}", last=last)
    for was, became, at in (("NULL", "'CREATED'", "created_at"),
                            ("'CREATED'", "'CONFIRMED'", "created_at"),
                            ("'OUT_FOR_DELIVERY'", "status", "updated_at")):
        await run("INSERT INTO order_events (order_id, from_status, to_status, at, actor, "
                  f"reason) SELECT id, {was}, {became}, {at}, 'system', '' {NEW}", last=last)


async def sent_and_done(run: Any, where: str, at: str, last: int) -> None:
    """For each order `where` selects (SQL from FROM on): three messages sent and two queue tasks
    done, at its column `at`."""
    for kind in ("order_ready", "out_for_delivery", "delivered"):
        await run("INSERT INTO outbox (chat_id, kind, payload, created_at, next_attempt_at, "
                  f"attempts, sent_at) SELECT customer_id, '{kind}', '{{}}', created_at, "
                  f"created_at, 1, {at} {where}", last=last)
    for kind in ("confirm", "dispatch"):
        await run("INSERT INTO tasks (kind, order_id, payload, state, attempts, run_at, "
                  f"created_at, updated_at, finished_at) SELECT '{kind}', id, '{{}}', 'done', "
                  f"1, created_at, created_at, {at}, {at} {where}", last=last)


async def stats_totals(run: Any, dialect: str, last: int) -> None:
    """What the code keeps for /stats as each order finishes (storage/stats.py), added up."""
    if dialect == "postgresql":
        hour = "date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
        took = "round(extract(epoch FROM updated_at - created_at) / 60)"
    else:
        hour = "strftime('%Y-%m-%d %H:00:00.000000', created_at)"
        took = "round((julianday(updated_at) - julianday(created_at)) * 1440)"
    delivered = "CASE WHEN status = 'DELIVERED' THEN {} ELSE 0 END"
    await run("INSERT INTO stats_hours (hour, status, orders, revenue, online, fees, discounts, "
              f"tips, deliveries, delivery_seconds, late) SELECT {hour}, status, count(*), "
              f"sum({delivered.format('total')}), 0, 0, 0, 0, sum({delivered.format(1)}), "
              f"sum({delivered.format(took + ' * 60')}), 0 {NEW} "
              "GROUP BY 1, 2", last=last)
    await run("INSERT INTO stats_minutes (hour, measure, minutes, orders) SELECT "
              f"{hour}, 'took', {took}, count(*) {NEW} AND "
              "status = 'DELIVERED' GROUP BY 1, 3", last=last)


async def size_bytes(engine: AsyncEngine) -> int:
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            return int((await connection.execute(
                text("SELECT pg_database_size(current_database())"))).scalar_one())
    return file_size(engine.url.database or "")


def file_size(database: str) -> int:
    """A SQLite database's bytes, its write-ahead log included."""
    return sum(os.path.getsize(p) for p in (database, f"{database}-wal") if os.path.exists(p))
