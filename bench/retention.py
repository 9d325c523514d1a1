"""Nothing grows forever (issue 16): day after day of traffic with the retention job on.

    python bench/retention.py [--days 45] [--orders-per-day 20000] [--database URL]

A fresh database (`foodbot seed`), then for each simulated day: that day's traffic written in
bulk as the chat path leaves it (each order delivered with its dish, three status events, an
accepted offer, the customer's phone and shared spot, the rider's spot on the map, three
messages sent and two queue tasks done; a checkout draft for its customer, and what /stats
keeps of it), then the retention job's sweep as `foodbot run` schedules it: through the
services it wires (bot.wiring.build_services), the clock at the end of the day, run again
while it says there is more. Prints the rows of each table every few days and the database's
size, and one JSON line: what the job bounds rises for RETENTION_DAYS (30) and then stays
flat; the history (orders and their events) grows by a day's orders each day, as it should.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.data import database
from bench.data_fill import (
    NEW,
    dishes_and_moves,
    numbers,
    sent_and_done,
    size_bytes,
    stats_totals,
    with_numbers,
)
from bench.report import machine, print_rows
from bot.settings import load_settings
from bot.wiring import build_services, seed_database
from storage.db import make_engine, make_sessionmaker
from storage.rows.orders import HAS_CONTACTS
from storage.types import UTCDateTime

DAY = timedelta(days=1)
CUSTOMERS, FIRST_CUSTOMER = 50_000, 100_000_000
TABLES = ("orders", "order_events", "stats_hours", "stats_minutes", "outbox", "tasks",
          "offers", "rider_spots", "checkouts")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def moment(dialect: str, seconds: str) -> str:
    """`seconds` (SQL) after the bound `:start`, as the code stores a datetime."""
    if dialect == "postgresql":
        return f"(:start + ({seconds}) * interval '1 second')"
    return (f"(strftime('%Y-%m-%d %H:%M:%S', :start, '+' || ({seconds}) || ' seconds')"
            " || '.000000')")


async def one_day(engine: AsyncEngine, start: datetime, orders: int, day: int) -> None:
    """A day's traffic from `start`: `orders` delivered orders, half an hour each."""
    dialect = engine.dialect.name
    span = 86_400 / orders
    offset = "(n - 1) * CAST(:span AS FLOAT)"  # else PostgreSQL takes :span for an integer
    placed, ended = moment(dialect, offset), moment(dialect, f"{offset} + 1800")
    values = {"start": start, "span": span, "n": orders}
    stamp = bindparam("start", type_=UTCDateTime())
    async with engine.begin() as connection:
        async def run(sql: str, **more: Any) -> None:
            statement = text(sql).bindparams(stamp) if ":start" in sql else text(sql)
            await connection.execute(statement, {**values, **more})

        last = (await connection.execute(text("SELECT coalesce(max(id), 0) FROM orders"))
                ).scalar_one()
        kitchen = (await connection.execute(text("SELECT min(id) FROM restaurants"))).scalar_one()
        customer = f":first + 1 + (n + :day * :n) % {CUSTOMERS}"
        await run(f"INSERT INTO orders (customer_id, restaurant_id, status, currency, subtotal, "
                  "delivery_fee, discount, tip, total, paid_online, address, latitude, longitude, "
                  f"phone, note, created_at, updated_at) {with_numbers(dialect)}SELECT "
                  f"{customer}, :kitchen, 'DELIVERED', 'INR', 25000, 0, 0, 0, 25000, false, "
                  f"'Flat ' || n, 12.97, 77.6, '+91 98450 12345', '', {placed}, {ended} "
                  f"FROM {numbers(dialect)}", first=FIRST_CUSTOMER, day=day, kitchen=kitchen)
        await dishes_and_moves(run, last)
        await run("INSERT INTO offers (order_id, partner_id, state, offered_at, expires_at, "
                  "closed_at) SELECT id, (SELECT min(id) FROM partners), 'accepted', created_at, "
                  f"created_at, created_at {NEW}", last=last)
        await run("INSERT INTO rider_spots (order_id, chat_id, latitude, longitude, moved_at, "
                  f"stopped) SELECT id, customer_id, 12.97, 77.6, updated_at, true {NEW}",
                  last=last)
        await sent_and_done(run, NEW, "updated_at", last)
        await run("INSERT INTO checkouts (customer_id, step, address, note, snapshot, "
                  "updated_at) SELECT customer_id, 'address', min(address), '', '[]', "
                  f"max(created_at) {NEW} GROUP BY customer_id ON CONFLICT (customer_id) DO "
                  "UPDATE SET updated_at = excluded.updated_at", last=last)
        await stats_totals(run, dialect, last)


async def rows(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        counted = {table: (await connection.execute(text(f"SELECT count(*) FROM {table}"))
                           ).scalar_one() for table in TABLES}
        counted["orders with contacts"] = (await connection.execute(text(
            f"SELECT count(*) FROM orders WHERE {HAS_CONTACTS.text}"))).scalar_one()
    return counted


async def run(args: argparse.Namespace) -> dict[str, Any]:
    days: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="foodbot-retention-") as tmp:
        async with database(args.database, Path(tmp), "month") as url:
            settings = load_settings(_env_file=None, database_url=url)
            await seed_database(settings)
            engine = make_engine(url)
            dialect = engine.dialect.name
            async with engine.begin() as connection:
                await connection.execute(text(
                    f"INSERT INTO customers (id, name, created_at) {with_numbers(dialect)}"
                    f"SELECT :first + n, 'Customer ' || n, :at FROM {numbers(dialect)}"
                ).bindparams(bindparam("at", type_=UTCDateTime())),
                    {"first": FIRST_CUSTOMER, "n": CUSTOMERS, "at": datetime.now(UTC)})
                await connection.execute(text(
                    "INSERT INTO partners (id, name, status, online, created_at) VALUES "
                    "(200000001, 'Rider', 'APPROVED', false, :at)"
                ).bindparams(bindparam("at", type_=UTCDateTime())), {"at": datetime.now(UTC)})
            start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - (
                args.days * DAY)
            clock = Clock(start)
            services = build_services(settings, make_sessionmaker(engine), clock)
            try:
                for day in range(args.days):
                    began = time.perf_counter()
                    await one_day(engine, start + day * DAY, args.orders_per_day, day)
                    filled = time.perf_counter()
                    clock.at = start + (day + 1) * DAY
                    runs = 1
                    while await services.retention.sweep() <= clock.at:  # more to sweep: again
                        runs += 1
                    swept = time.perf_counter()
                    days.append({"day": day + 1, **await rows(engine),
                                 "size_mb": round(await size_bytes(engine) / 2**20, 1),
                                 "fill_s": round(filled - began, 2),
                                 "sweep_s": round(swept - filled, 2), "sweep_runs": runs})
            finally:
                await engine.dispose()
    return {"bench": "retention", "database": "PostgreSQL" if args.database else "SQLite",
            "orders_per_day": args.orders_per_day, "days": days, "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--orders-per-day", type=int, default=20_000)
    parser.add_argument("--every", type=int, default=5, help="print every N days")
    parser.add_argument("--database", default=None,
                        help="a PostgreSQL URL to make the database beside")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    shown = [d for d in result["days"] if d["day"] % args.every == 0 or d["day"] == 1]
    print_rows([(f"day {d['day']}", ", ".join(
        [f"{table} {d[table]:,}" for table in (*TABLES, "orders with contacts")]
        + [f"{d['size_mb']} MB", f"sweep {d['sweep_s']} s in {d['sweep_runs']} runs"]))
        for d in shown] + [("machine", "{cores} cores, Python {python}, SQLite {sqlite}; "
                            "3e6-square sum in {cpu_check_s} s".format(**result["machine"]))])
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
