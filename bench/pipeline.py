"""Order pipeline benchmark (DESIGN.md §9): orders a second from placed to delivered.

    python bench/pipeline.py [--orders 2000] [--rate 0] [--processes 1] [--placing chat]
                             [--database-url postgresql+asyncpg://...]

Seeds restaurants (no managers, so orders are confirmed automatically), menus, customers and
approved online partners in a fresh database: a temporary SQLite file, or a throwaway database
created on the PostgreSQL server that `--database-url` (or DATABASE_URL) points at, dropped
at the end. Each of N customers is at checkout's summary (cart, shared location, the token of
its "Place order" button: setting the scene, not measured). Then, timed, each customer
presses "Place order" through the entry point the button calls (`CheckoutService.place`),
while the real `PipelineWorker` runs its ticks and simulated partners press as theirs do
(`Presses.accept_offer`, `picked_up`, `delivered`: one call per press, each partner on their
own: an offer accepted as soon as seen, the food picked up once ready, then delivered),
until every order is delivered. No Telegram.

Load shapes: closed (`--rate 0`, every customer pressing at once, 64 in flight) or open
(`--rate R`: one press every 1/R seconds whatever the state of the earlier ones, as
customers arrive; the placed -> delivered latency at that rate is what a customer feels).
`--processes 2` runs a second instance on the same database: a process with half the
customers and partners and a queue worker of its own.
`--placing bulk` stores the orders in chunks first instead (the pipeline alone).

Time: an accelerated fake clock runs `--speed` times faster than the wall clock, so the
restaurants' preparation time (`--prep-minutes`) passes quickly. Timeouts the system keeps
for people (the offer timeout, the lease) are scaled by the same factor, so they stay what
they are in real time. Latencies come from the order events (placed → delivered) and are
reported in wall-clock milliseconds (fake time divided by the speed).

Beside it, in the same run and on the same database, the bare sketch of the hot path
(bench/sketch.py), its CPU an order and the pipeline's ratio to it; and the seed's floor
(1,667 orders a second) and DESIGN's target (5,000) as ratios to that sketch, the ratio the
pipeline would need to reach them on this machine at this hour. Every run checks that each
order was delivered once, each status recorded once and each message written once. Prints a
table and one JSON line. Not a test: nothing here is timed by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_database import Autovacuum, database  # the benchmark's own helpers
from pipeline_checks import latencies_ms, server_version, verify
from pipeline_customers import Customers, at_checkout, ready_pairs
from pipeline_instances import Instances, settings
from pipeline_world import AcceleratedClock, Partners, place, seed
from report import FLOOR_PER_S, TARGET_PER_S, machine, print_table, writer_shares
from sketch import sketch
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.runner import settle_start_up
from domain.orders import OrderStatus
from domain.pipeline.actions import Presses
from domain.pipeline.worker import PipelineWorker
from storage.db import is_sqlite, make_engine, make_sessionmaker
from storage.migrate import upgrade_to_head
from storage.ops import SqlOpsReader
from storage.pipeline.store import SqlPipelineStore
from storage.sql import (
    ORDERS,
)


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    await upgrade_to_head(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        clock = AcceleratedClock(args.speed)
        config, policy = settings(args.speed, args.batch, args.batches_per_tick)
        store = SqlPipelineStore(sessions)
        worker = PipelineWorker(store, clock, policy, config, "bench-worker",
                                rng=random.Random(1).random)
        share = (0, args.processes)  # this process's customers and partners
        partners = Partners(Presses(store, clock), clock, share=share)
        kitchens, customers = await seed(sessions, args)

        vacuum = Autovacuum(engine)
        buyers = Customers.of(sessions, clock, args.rate / args.processes)
        if args.chat:
            await at_checkout(sessions, args.orders, kitchens)
        await vacuum.tick(force=True)
        settle_start_up()  # as `foodbot run` once started: start-up's objects out of the gc
        writer = SqlOpsReader(sessions).writer  # the SQLite writer's turns, as /metrics reads
        with Instances(url, clock, args) as others:  # started and ready before the clock
            others.go()
            turns_before = writer()
            started, cpu = time.perf_counter(), time.process_time()
            loop_cpu = time.thread_time()  # this thread runs the event loop
            if args.chat:  # "Place order" pressed while the pipeline runs
                placed = started
                ticks = await run_concurrently(args, worker, partners, sessions, vacuum, placed,
                                               buyers.press_all(ready_pairs(args.orders, share)))
            else:
                await place(sessions, clock, args.orders, kitchens, customers)
                await vacuum.tick(force=True)
                placed = time.perf_counter()
                run_ = run_concurrently if args.concurrent else run_in_turn
                ticks = await run_(args, worker, partners, sessions, vacuum, placed)
            finished, cpu = time.perf_counter(), time.process_time() - cpu
            loop_cpu, turns_after = time.thread_time() - loop_cpu, writer()
        placing_s = (buyers.finished or finished) - started if args.chat else placed - started
        checks = await verify(sessions, args.orders)
        latencies = await latencies_ms(sessions, args.speed)
        server = await server_version(sessions)
        bare = await sketch(sessions, clock, args.orders, args.batch, kitchens, customers)
    finally:
        await engine.dispose()
    return {
        "orders": args.orders, "partners": args.partners, "restaurants": args.restaurants,
        "batch": args.batch, "speed": args.speed, "prep_minutes": args.prep_minutes,
        "concurrent": args.concurrent, "placing": args.placing, "rate": args.rate,
        "processes": args.processes,
        "place_s": round(placing_s, 3),
        "cpu_ms_per_order": round(cpu * 1000 / args.orders, 3),  # this process, all threads
        "loop_thread_busy": round(loop_cpu / (finished - started), 2),
        **writer_shares(turns_before, turns_after, finished - started),
        "placed_per_s": round(args.orders / placing_s),
        "refused_places": buyers.refused,
        "pipeline_s": round(finished - placed, 3),
        "pipeline_per_s": round(args.orders / (finished - placed)),
        "placed_to_delivered_per_s": round(args.orders / (finished - started)),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(statistics.quantiles(latencies, n=100)[98], 1),
        "sketch_per_s": round(args.orders / bare.seconds),
        "sketch_cpu_ms_per_order": round(bare.cpu_s * 1000 / args.orders, 3),
        "pipeline_vs_sketch": round(bare.seconds / (finished - placed), 2),
        # what the floor and the target ask of the pipeline, as its ratio to the sketch: the
        # sketch moves with the machine, these say whether they are in reach on this one
        "floor_vs_sketch": round(FLOOR_PER_S * bare.seconds / args.orders, 2),
        "target_vs_sketch": round(TARGET_PER_S * bare.seconds / args.orders, 2),
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
    placing: Awaitable[None] | None = None,
) -> int:
    """The worker's ticks and the partners' rounds as two loops side by side, as the bot's
    JobQueue job and its handlers run, and the customers' presses when `placing`; each uses
    its own connection. With other processes, until the database says all are delivered."""
    delivered = ticks = 0

    def over() -> bool:
        return delivered >= args.orders

    async def work() -> None:
        nonlocal ticks
        while not over():
            report = await worker.run_once(partners.clock.now())
            ticks += 1
            if not report.claimed:
                await asyncio.sleep(0.002)

    async def press() -> None:
        nonlocal delivered
        while not over():
            offered, done = await partners.look(sessions)
            delivered += done if args.processes == 1 else 0
            await vacuum.tick()
            if not offered and not done:
                await asyncio.sleep(0.002)  # how often to look, not a wait for anything
            _deadline(args, placed, delivered)

    async def count() -> None:  # the other processes deliver too
        nonlocal delivered
        while not over():
            await asyncio.sleep(0.02)  # how often to look, not a wait for anything
            async with sessions() as session:
                delivered = (await session.execute(select(func.count()).where(
                    ORDERS.c.status == OrderStatus.DELIVERED.value))).scalar_one()

    counting = [count()] if args.processes > 1 else []
    await asyncio.gather(work(), press(), *counting, *([placing] if placing else []))
    return ticks


def _deadline(args: argparse.Namespace, placed: float, delivered: int) -> None:
    if time.perf_counter() - placed > args.timeout:
        raise SystemExit(f"gave up after {args.timeout} s: {delivered} delivered")


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
    parser.add_argument("--placing", choices=("chat", "bulk"), default="chat",
                        help='chat: each order one press of "Place order" (CheckoutService.place)'
                        ", while the pipeline runs; bulk: stored in chunks first, as before")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="open load: orders placed per second (chat placing); 0: closed "
                        "load, every customer pressing at once")
    parser.add_argument("--processes", type=int, default=1,
                        help="instances: this process and N-1 more on the same database, each "
                        "with its share of customers and partners and a queue worker")
    parser.add_argument("--concurrent", action=argparse.BooleanOptionalAction, default=None,
                        help="worker and partners side by side (default: on PostgreSQL only)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the run here")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations (slows the run)")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start()

    args.chat = args.placing == "chat"
    if args.concurrent is None:
        args.concurrent = args.chat or args.processes > 1 or (
            bool(args.database_url) and not is_sqlite(args.database_url))

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
