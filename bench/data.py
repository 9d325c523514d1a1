"""A year of data (issue 16): every screen timed on a big database beside a small one, in one run.

    python bench/data.py [--customers 100000] [--orders 1000000] [--heavy 500] [--repeat 30]
                         [--database postgresql+asyncpg://.../db]

Two databases with the same seeded catalogue (`foodbot seed`): a small one, and a big one
filled in bulk (SQL inserts of generated rows, not the chat path) with a year behind it:
`--customers` customers, `--orders` delivered or cancelled orders spread over the last 365
days, each with its dishes, three status events and an accepted offer; one customer with
`--heavy` of them; the last 30 days' messages and done tasks (what the retention job keeps). On
SQLite two temporary files; with `--database` (PostgreSQL) two databases made beside it and
dropped after.

Then each read path is timed as a handler calls it, through the services `foodbot run` wires
(bot.wiring.build_services), `--repeat` times on each database in turn: the restaurant list, a
menu, the cart, checkout's summary, placing, /orders and one order of the customer with the
most orders, a partner's /job, the queue's and the outbox's claims, and the admin screens
(/allorders with and without a status, /showorder, /partners, /deadletters, /audit, /stats).
Prints p50 and p99 per call and big / small, the big database's size and one JSON line. The
fill and the timings run in this one process; the machines are shared and noisy: read the
ratios, not the milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.data_fill import fill
from bench.report import machine, print_rows
from bot.context import Services
from bot.settings import load_settings
from bot.wiring import build_services, seed_database
from domain.customers import Customer
from domain.ids import OrderId, RestaurantId, UserId
from domain.orders import OrderStatus
from domain.views import TrackingMessage
from storage.db import make_engine, make_sessionmaker

CUSTOMER, HEAVY, PARTNER, ADMIN = UserId(1001), UserId(5), UserId(2001), UserId(9001)
Call = Callable[[], Awaitable[object]]


@asynccontextmanager
async def database(url: str | None, folder: Path, name: str) -> Any:
    """A fresh migrated and seeded database: a SQLite file, or one made on the server."""
    if url is None:
        yield f"sqlite+aiosqlite:///{folder / name}.db"
        return
    server = make_url(url)
    admin = make_engine(server.render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    made = server.set(database=f"{server.database}_{name}")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{made.database}"'))
        await connection.execute(text(f'CREATE DATABASE "{made.database}"'))
    try:
        yield made.render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{made.database}"'))
        await admin.dispose()


async def prepared(url: str) -> tuple[Services, AsyncEngine]:
    settings = load_settings(_env_file=None, database_url=url)
    await seed_database(settings)
    engine = make_engine(url)
    services = build_services(settings, make_sessionmaker(engine))
    await services.customers.register_customer(CUSTOMER, "Asha")
    await services.partners.join(PARTNER, "Ravi")
    await services.admin.partners.approve_partner(ADMIN, PARTNER)
    return services, engine


async def calls(services: Services) -> dict[str, Call]:
    """Each screen's call, as its handler makes it."""
    listed = await services.shopping.restaurants(0)
    dominos = RestaurantId(next(e.restaurant.id for e in listed.entries
                                if e.restaurant.name == "Dominos"))
    menu = await services.shopping.menu(CUSTOMER, dominos)
    pizza = next(item for item in menu.items.entries if not item.groups)
    asha = Customer(CUSTOMER, "Asha")

    async def summary() -> object:
        if not (await services.shopping.cart(CUSTOMER)).item_count:  # one pizza, as people do
            await services.shopping.add(asha, pizza.id)
        await services.checkout.start(CUSTOMER)
        return await services.checkout.receive_text(CUSTOMER, "12 Residency Road, Bengaluru")

    async def place() -> object:
        shown_summary = await summary()
        assert shown_summary is not None
        return await services.checkout.place(CUSTOMER, shown_summary.token,  # type: ignore[attr-defined]
                                             TrackingMessage(CUSTOMER, 7))

    await place()  # an order of the customer's own, on the small database too
    heavy = (await services.orders.recent(HEAVY)).items
    who = HEAVY if heavy else CUSTOMER
    shown = OrderId((heavy or (await services.orders.recent(CUSTOMER)).items)[0].order.id)
    admin = services.admin
    return {
        "restaurant list": lambda: services.shopping.restaurants(0),
        "menu": lambda: services.shopping.menu(CUSTOMER, dominos),
        "cart": lambda: services.shopping.cart(CUSTOMER),
        "checkout summary": summary,
        "placing (with its summary)": place,
        "/orders (most orders)": lambda: services.orders.recent(who),
        "one order's history": lambda: services.orders.view(who, shown),
        "partner /job": lambda: services.partners.job(PARTNER),
        "queue claim": services.worker.run_once,
        "outbox claim": lambda: services.outbox.claim(services.clock.now()),
        "/allorders": lambda: admin.orders.orders(),
        "/allorders delivered": lambda: admin.orders.orders(OrderStatus.DELIVERED),
        "/showorder": lambda: admin.orders.order_detail(shown),
        "/partners": admin.partners.partners,
        "/deadletters": admin.orders.dead_letters,
        "/audit": lambda: admin.catalogue.audit(20),
        "/stats": admin.stats.stats,
    }


async def timed(call: Call, repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    return seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="foodbot-data-") as tmp:
        async with database(args.database, Path(tmp), "small") as small_url, \
                database(args.database, Path(tmp), "big") as big_url:
            small, small_engine = await prepared(small_url)
            big, big_engine = await prepared(big_url)
            started = time.perf_counter()
            size = await fill(big_engine, customers=args.customers, orders=args.orders,
                              heavy=args.heavy)
            fill_s = time.perf_counter() - started
            timings: dict[str, dict[str, list[float]]] = {}
            small_calls, big_calls = await calls(small), await calls(big)
            for name in small_calls:  # in turn, so both see the machine alike
                timings[name] = {"small": [], "big": []}
                for _ in range(2):
                    timings[name]["small"] += await timed(small_calls[name], args.repeat // 2)
                    timings[name]["big"] += await timed(big_calls[name], args.repeat // 2)
            await small_engine.dispose()
            await big_engine.dispose()
    rows = {}
    for name, both in timings.items():
        small_p50, big_p50 = statistics.median(both["small"]), statistics.median(both["big"])
        rows[name] = {"small_p50_ms": round(small_p50 * 1000, 2),
                      "big_p50_ms": round(big_p50 * 1000, 2),
                      "big_p99_ms": round(percentile(both["big"], 0.99) * 1000, 2),
                      "big_vs_small": round(big_p50 / small_p50, 2)}
    return {"bench": "data", "database": "PostgreSQL" if args.database else "SQLite",
            "customers": args.customers, "orders": args.orders, "heavy": args.heavy,
            "repeat": args.repeat, "fill_s": round(fill_s, 1), **size, "calls": rows,
            "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--heavy", type=int, default=500, help="orders of one customer")
    parser.add_argument("--repeat", type=int, default=30, help="calls timed per screen")
    parser.add_argument("--database", default=None,
                        help="a PostgreSQL URL to make the two databases beside")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    rows = [("database", f"{result['database']}: {result['customers']:,} customers, "
                         f"{result['orders']:,} orders ({result['heavy']} of one customer), "
                         f"filled in {result['fill_s']} s, {result['size_mb']} MB")]
    rows += [(name, f"p50 {r['small_p50_ms']} ms small, {r['big_p50_ms']} ms big (p99 "
                    f"{r['big_p99_ms']} ms): x{r['big_vs_small']}")
             for name, r in result["calls"].items()]
    rows.append(("machine", "{cores} cores, Python {python}, SQLite {sqlite}; 3e6-square sum "
                 "in {cpu_check_s} s".format(**result["machine"])))
    print_rows(rows)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
