"""Order pipeline benchmark (DESIGN.md §9): orders a second from placed to delivered.

    python bench/pipeline.py [--orders 2000] [--database-url postgresql+asyncpg://...]

Seeds restaurants (no managers, so orders are confirmed automatically), menus, customers and
approved online partners in a fresh database: a temporary SQLite file, or a throwaway database
created on the PostgreSQL server that `--database-url` (or DATABASE_URL) points at, dropped
at the end. It stores N orders as checkout stores them (the domain's `Order.place`, then the
order, its items, its first event and its confirm task), in batches, then runs the real
`PipelineWorker` against simulated partners: they read their offers from the outbox, accept,
pick up once the food is ready, and deliver, each press through the entry point a partner's
button calls (`Presses.accept_offer`, `picked_up`, `delivered`), until every order is
delivered. No Telegram.

Time: an accelerated fake clock runs `--speed` times faster than the wall clock, so the
restaurants' preparation time (`--prep-minutes`) passes quickly. Timeouts the system keeps
for people (the offer timeout, the lease) are scaled by the same factor, so they stay what
they are in real time. Latencies come from the order events (placed → delivered) and are
reported in wall-clock milliseconds (fake time divided by the speed).

Prints a table and one JSON line. Not a test: nothing here is timed by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline_world import (  # the benchmark's own helpers, next to this file
    AcceleratedClock,
    Autovacuum,
    Partners,
    database,
    place,
    seed,
)
from report import machine, print_table
from sketch import sketch
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.messages import Kind
from domain.orders import OrderStatus
from domain.pipeline.actions import Presses
from domain.pipeline.model import PipelineConfig
from domain.pipeline.worker import PipelineWorker
from domain.retry import RetryPolicy
from storage.db import is_sqlite, make_engine, make_sessionmaker
from storage.migrate import upgrade_to_head
from storage.pipeline.store import SqlPipelineStore
from storage.sql import (
    ORDER_EVENTS,
    ORDERS,
    OUTBOX,
    PARTNERS,
)


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    await upgrade_to_head(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        clock = AcceleratedClock(args.speed)
        config = PipelineConfig(
            offer_timeout_s=60 * args.speed, no_partner_alert_after_s=300 * args.speed,
            dispatch_max_wait_s=5 * args.speed, batch_size=args.batch, lease_s=30 * args.speed,
            max_batches_per_tick=args.batches_per_tick,
        )
        policy = RetryPolicy(base_delay_s=args.speed, max_delay_s=30 * args.speed)
        store = SqlPipelineStore(sessions)
        worker = PipelineWorker(store, clock, policy, config, "bench-worker",
                                rng=random.Random(1).random)
        partners = Partners(Presses(store, clock), clock)
        kitchens, customers = await seed(sessions, args)

        vacuum = Autovacuum(engine)
        started = time.perf_counter()
        await place(sessions, clock, args.orders, kitchens, customers)
        await vacuum.tick(force=True)
        placed = time.perf_counter()
        if args.concurrent:
            ticks = await run_concurrently(args, worker, partners, sessions, vacuum, placed)
        else:
            ticks = await run_in_turn(args, worker, partners, sessions, vacuum, placed)
        finished = time.perf_counter()
        checks = await verify(sessions, args.orders)
        latencies = await latencies_ms(sessions, args.speed)
        server = await server_version(sessions)
        bare = await sketch(sessions, clock, args.orders, args.batch, kitchens, customers)
    finally:
        await engine.dispose()
    return {
        "orders": args.orders, "partners": args.partners, "restaurants": args.restaurants,
        "batch": args.batch, "speed": args.speed, "prep_minutes": args.prep_minutes,
        "concurrent": args.concurrent,
        "place_s": round(placed - started, 3),
        "placed_per_s": round(args.orders / (placed - started)),
        "pipeline_s": round(finished - placed, 3),
        "pipeline_per_s": round(args.orders / (finished - placed)),
        "placed_to_delivered_per_s": round(args.orders / (finished - started)),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(statistics.quantiles(latencies, n=100)[98], 1),
        "sketch_per_s": round(args.orders / bare),
        "pipeline_vs_sketch": round((args.orders / (finished - placed)) / (args.orders / bare), 2),
        "ticks": ticks, "refused_presses": partners.refused, "vacuums": vacuum.runs, **checks,
        "server": server,
    }


async def run_in_turn(
    args: argparse.Namespace, worker: PipelineWorker, partners: Partners,
    sessions: async_sessionmaker[AsyncSession], vacuum: Autovacuum, placed: float,
) -> int:
    """One loop: a worker tick, then a round of the partners, until all are delivered."""
    delivered = ticks = 0
    while delivered < args.orders:
        report = await worker.run_once(partners.clock.now())
        done = await partners.act(sessions)
        delivered += done
        ticks += 1
        await vacuum.tick()
        if not report.claimed and not done:
            await asyncio.sleep(0.001)  # waiting for the kitchens
        _deadline(args, placed, delivered)
    return ticks


async def run_concurrently(
    args: argparse.Namespace, worker: PipelineWorker, partners: Partners,
    sessions: async_sessionmaker[AsyncSession], vacuum: Autovacuum, placed: float,
) -> int:
    """The worker's ticks and the partners' rounds as two loops side by side, as the bot's
    JobQueue job and its handlers run; each uses its own connection."""
    delivered = ticks = 0

    async def work() -> None:
        nonlocal ticks
        while delivered < args.orders:
            report = await worker.run_once(partners.clock.now())
            ticks += 1
            if not report.claimed:
                await asyncio.sleep(0.002)

    async def press() -> None:
        nonlocal delivered
        while delivered < args.orders:
            done = await partners.act(sessions)
            delivered += done
            await vacuum.tick()
            if not done:
                await asyncio.sleep(0.002)
            _deadline(args, placed, delivered)

    await asyncio.gather(work(), press())
    return ticks


def _deadline(args: argparse.Namespace, placed: float, delivered: int) -> None:
    if time.perf_counter() - placed > args.timeout:
        raise SystemExit(f"gave up after {args.timeout} s: {delivered} delivered")


async def verify(sessions: async_sessionmaker[AsyncSession], n: int) -> dict[str, Any]:
    """Every order delivered, each status recorded once, each message written once."""
    async with sessions() as session:
        statuses = dict((await session.execute(
            select(ORDERS.c.status, func.count()).group_by(ORDERS.c.status)
        )).all())
        events = (await session.execute(select(func.count()).select_from(ORDER_EVENTS))).scalar()
        kinds = dict((await session.execute(
            select(OUTBOX.c.kind, func.count()).group_by(OUTBOX.c.kind)
        )).all())
        busy = (await session.execute(
            select(func.count()).where(PARTNERS.c.active_order_id.is_not(None))
        )).scalar()
    expected = {Kind.ORDER_STATUS: 5 * n, Kind.OFFER: n,  # 4 moves + the partner's name
                Kind.OUT_FOR_DELIVERY: n, Kind.DELIVERED: n}
    waited = kinds.pop(Kind.FINDING_PARTNER.value, 0)  # orders placed while all were busy
    ok = (statuses == {OrderStatus.DELIVERED.value: n} and events == 5 * n and busy == 0
          and kinds == {k.value: v for k, v in expected.items()} and waited <= n)
    kinds[Kind.FINDING_PARTNER.value] = waited
    if not ok:
        print(f"CHECK FAILED: statuses={statuses} events={events} kinds={kinds} busy={busy}")
    return {"all_delivered_once": ok, "outbox_rows": sum(kinds.values()), "events": events}


async def latencies_ms(sessions: async_sessionmaker[AsyncSession], speed: float) -> list[float]:
    """Placed → delivered of every order, from its events, in wall-clock milliseconds."""
    e = ORDER_EVENTS.c
    stmt = select(e.order_id, e.to_status, e.at).where(
        e.to_status.in_([OrderStatus.CREATED.value, OrderStatus.DELIVERED.value])
    )
    async with sessions() as session:
        rows = (await session.execute(stmt)).all()
    placed = {r.order_id: r.at for r in rows if r.to_status == OrderStatus.CREATED.value}
    return [
        (r.at - placed[r.order_id]).total_seconds() * 1000 / speed
        for r in rows if r.to_status == OrderStatus.DELIVERED.value
    ]


async def server_version(sessions: async_sessionmaker[AsyncSession]) -> str:
    async with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            version = (await session.execute(text("SHOW server_version"))).scalar()
            return f"PostgreSQL {version}"
    return "SQLite " + sqlite3.sqlite_version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--partners", type=int, default=600)
    parser.add_argument("--restaurants", type=int, default=50)
    parser.add_argument("--batch", type=int, default=500, help="tasks claimed per transaction")
    parser.add_argument("--batches-per-tick", type=int, default=10)
    parser.add_argument("--speed", type=float, default=1200.0, help="fake seconds per second")
    parser.add_argument("--prep-minutes", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600.0, help="wall-clock seconds")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--concurrent", action=argparse.BooleanOptionalAction, default=None,
                        help="worker and partners side by side (default: on PostgreSQL only)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the run here")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations (slows the run)")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start()

    if args.concurrent is None:
        args.concurrent = bool(args.database_url) and not is_sqlite(args.database_url)

    async def go() -> dict[str, Any]:
        async with database(args.database_url) as url:
            return await run(args, url)

    if args.profile:
        import cProfile

        with cProfile.Profile() as profile:
            result = asyncio.run(go())
        profile.dump_stats(args.profile)
    else:
        result = asyncio.run(go())
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    result["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20)
    if args.tracemalloc:
        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    result["machine"] = machine()
    print_table(result)
    print(json.dumps({"bench": "pipeline", **result}, sort_keys=True))


if __name__ == "__main__":
    main()
