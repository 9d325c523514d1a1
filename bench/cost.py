"""What one order costs the process, phase by phase, in instructions (issue 12): a figure that
does not move with the machine's load, for comparing two commits of the hot path.

    python bench/cost.py [--orders 300] [--database-url postgresql+asyncpg://...] [--cpu]

Runs itself under valgrind's callgrind, which counts the instructions the process executes:
the same run of the same code counts the same within about 0.2 %, however busy the machine,
where seconds on these shared machines move by 10 % and more between runs. It seeds as
bench/pipeline.py does (restaurants without managers, a partner per order), puts the customers
at checkout's summary, runs `--warm-up` orders through their whole life (statements compiled,
caches filled), none of it counted; moves what is alive then out of the garbage collector's
way as `foodbot run` does once started (`settle_start_up`); then N orders' life a phase at a
time through the entry points the chat's buttons call, 64 calls in flight at once, the count
zeroed before each phase and read after it:

    placing     each customer presses Place order (`CheckoutService.place`)
    worker      the queue worker's ticks until nothing is due: confirmed, prepared, offered
    accepting   each partner accepts their offer (`Presses.accept_offer`)
    delivering  each partner's Picked up, then Delivered (`Presses.picked_up`, `delivered`)
    sketch      the bare sketch of DESIGN §9 (bench/sketch.py): N more orders, five states

A clock that moves only between phases keeps the run the same however slowly it goes under
valgrind (about 50 times slower). Prints instructions per order for each phase, the order's
total against the sketch's, whether every order was delivered once, and a JSON line. On
PostgreSQL the server's own work is not counted, only this process's. `--cpu` measures the
process's CPU seconds instead, without valgrind (noisy, for a machine without it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_database import database  # the benchmark's own helpers
from pipeline_checks import server_version, verify
from pipeline_customers import Customers, Tokens, at_checkout
from pipeline_instances import settings
from pipeline_world import T0, Partners, pressing, seed
from report import machine
from sketch import sketch
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.runner import settle_start_up
from domain.ids import OrderId, UserId
from domain.pipeline.actions import Presses
from domain.pipeline.worker import PipelineWorker
from domain.services.checkout import CheckoutService
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade_to_head
from storage.pipeline.store import SqlPipelineStore
from storage.uow import uow_factory

PHASES = ("placing", "worker", "accepting", "delivering")  # the order's own; then the sketch


class SteppedClock:
    """Time that stands still until the run moves it on."""

    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


class Counter:
    """Brackets each phase: callgrind's count zeroed before and dumped after it (`callgrind`),
    or the process's CPU seconds read around it."""

    def __init__(self, callgrind: bool) -> None:
        self._callgrind = callgrind
        self.cpu_s: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self._control("--zero")
        started = time.process_time()
        yield
        self.cpu_s[name] = time.process_time() - started
        self._control(f"--dump={name}")

    def _control(self, command: str) -> None:
        if self._callgrind:  # answered once valgrind has done it
            subprocess.run(["callgrind_control", command, str(os.getpid())], check=True,
                           capture_output=True)


async def run(args: argparse.Namespace, url: str, counter: Counter) -> dict[str, Any]:
    await upgrade_to_head(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        clock = SteppedClock(T0)
        config, policy = settings(1.0, args.batch, 10)
        store = SqlPipelineStore(sessions)
        # the riders' count ages on the stepped clock (no `timer`): counted again once a
        # phase, however slowly valgrind runs it, so the count of instructions repeats
        life = Life(sessions, clock, args.prep_minutes,
                    Customers(CheckoutService(uow_factory(sessions), clock, "INR", Tokens())),
                    PipelineWorker(store, clock, policy, config, "cost",
                                   rng=random.Random(1).random),
                    Partners(Presses(store, clock), clock))
        warm_up, measured = args.warm_up, args.orders
        args.orders = args.partners = warm_up + measured  # seeded alike, a partner each
        kitchens, customers = await seed(sessions, args)
        pairs = await at_checkout(sessions, args.orders, kitchens)
        args.orders = measured
        await life.run(pairs[:warm_up], Counter(callgrind=False))
        settle_start_up()  # as `foodbot run` once started: start-up's objects out of the gc
        await life.run(pairs[warm_up:], counter)
        checks = await verify(sessions, warm_up + measured)
        clock.at += timedelta(seconds=1)
        await sketch(sessions, clock, warm_up, args.batch, kitchens, customers)
        with counter.phase("sketch"):
            await sketch(sessions, clock, args.orders, args.batch, kitchens, customers)
        server = await server_version(sessions)
    finally:
        await engine.dispose()
    return {"orders": args.orders, "placed": life.customers.placed, "server": server, **checks}


@dataclass
class Life:
    """The orders' life, a phase at a time, through the chat's entry points."""

    sessions: async_sessionmaker[AsyncSession]
    clock: SteppedClock
    prep_minutes: int
    customers: Customers
    worker: PipelineWorker
    partners: Partners  # their presses, and the offers their chats got

    async def run(self, pairs: list[tuple[UserId, int]], counter: Counter) -> None:
        clock, presses = self.clock, self.partners.actions
        clock.at += timedelta(seconds=1)
        with counter.phase("placing"):
            await self.customers.press_all(pairs)
        clock.at += timedelta(seconds=1)
        with counter.phase("worker"):
            while (await self.worker.run_once(clock.now())).claimed:
                pass
        offers = await self.offered()
        clock.at += timedelta(seconds=1)
        with counter.phase("accepting"):
            await pressing(presses.accept_offer, offers)
        clock.at += timedelta(minutes=self.prep_minutes)  # every order ready

        async def deliver(order_id: OrderId, partner_id: UserId) -> None:
            await presses.picked_up(order_id, partner_id)
            await presses.delivered(order_id, partner_id)

        with counter.phase("delivering"):
            await pressing(deliver, offers)

    async def offered(self) -> list[tuple[OrderId, UserId]]:
        """Every offer the worker sent since the last look, as the partners' chats got them."""
        offers: list[tuple[OrderId, UserId]] = []
        while more := await self.partners.new_offers(self.sessions):
            offers += more
        return offers


def measure(args: argparse.Namespace, counter: Counter) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        async with database(args.database_url) as url:
            return await run(args, url, counter)

    return {**asyncio.run(go()), "cpu_s": counter.cpu_s}


def under_callgrind(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, int]]:
    """Runs this file again as the measured process under callgrind; returns what it printed
    and the instructions each phase took."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind); "
                         "or measure CPU seconds instead with --cpu")
    with tempfile.TemporaryDirectory() as folder:
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/cg.%p",
                   sys.executable, __file__, "--child", *sys.argv[1:]]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the measured run failed:\n{done.stderr[-3000:]}")
        counts = dict(_dumped(path) for path in Path(folder).glob("cg.*.*"))
    return json.loads(done.stdout.strip().splitlines()[-1]), counts


def _dumped(path: Path) -> tuple[str, int]:
    """A callgrind dump's phase (its trigger, "dump <phase>") and its instructions."""
    lines = path.read_text().splitlines()
    trigger = next(line for line in lines if line.startswith("desc: Trigger:"))
    total = next(line for line in lines if line.startswith("totals:"))
    return trigger.rsplit(" ", 1)[-1], int(total.split()[1])


def report(args: argparse.Namespace, result: dict[str, Any], counts: dict[str, float]) -> None:
    n, unit = args.orders, "CPU µs" if args.cpu else "instructions"
    per = {name: round(counts[name] / n) for name in (*PHASES, "sketch")}
    order = sum(per[name] for name in PHASES)
    figures = {**per, "order": order, "order_vs_sketch": round(order / per["sketch"], 2)}
    width = max(len(name) for name in figures)
    print(f"{result['server']}, {n} orders; {unit} an order, by phase:")
    for name in PHASES:
        print(f"  {name:{width}}  {per[name]:>13,}  {per[name] / order:6.1%}")
    print(f"  {'order':{width}}  {order:>13,}  (the four phases)")
    print(f"  {'sketch':{width}}  {per['sketch']:>13,}  (order = {figures['order_vs_sketch']}x)")
    print(f"every order delivered once: {result['all_delivered_once']}")
    print(json.dumps({"bench": "cost", "unit": unit, "orders": n, **figures,
                      "all_delivered_once": result["all_delivered_once"],
                      "server": result["server"], "machine": machine()}, sort_keys=True))


def at_least(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than `least`."""
    def whole(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if number < least:
            raise argparse.ArgumentTypeError(f"{number} is below {least}")
        return number

    return whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=at_least(1), default=300)
    parser.add_argument("--restaurants", type=at_least(1), default=50)
    parser.add_argument("--batch", type=at_least(1), default=500,
                        help="tasks claimed per transaction")
    parser.add_argument("--prep-minutes", type=at_least(0), default=2)
    parser.add_argument("--warm-up", type=at_least(0), default=30,
                        help="orders through every phase first, not counted: the statements "
                        "compiled, the caches filled")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--cpu", action="store_true",
                        help="CPU seconds of this process instead of instructions (no valgrind)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.placing = "chat"
    if args.child:  # the measured process, under callgrind
        print(json.dumps(measure(args, Counter(callgrind=True))))
        return
    if args.cpu:
        result = measure(args, Counter(callgrind=False))
        report(args, result, {name: s * 1e6 for name, s in result["cpu_s"].items()})
        return
    result, counts = under_callgrind(args)
    missing = {*PHASES, "sketch"} - counts.keys()
    if missing:
        raise SystemExit(f"no count for {sorted(missing)}")
    report(args, result, counts)


if __name__ == "__main__":
    main()
