"""Chat benchmark (DESIGN.md §9, issue 11): simulated users doing whole journeys through the
local Bot API server, foodbot beside a bare PTB bot making the same calls, in the same run.

    python bench/chat.py [--customers 200] [--partners 20] [--seconds 60] [--only off,on,flood]
                         [--database postgresql+asyncpg://...] [--targets polling,cluster]
                         [--cluster-database postgresql+asyncpg://...] [--redis redis://...]

Customers do journeys again and again (/restaurants, Dominos, ➕ Pizza, Cart, Checkout, the
address, Place order), each step as soon as the last one was answered; partners accept, pick up
and deliver the orders they are offered. Each bot is started against a fresh local Bot API
server, with the same load, in turn for each variant: foodbot as the chosen `--targets`, then
bench/bare_bot.py, each a separate process:

- polling: mode (a), one `foodbot run`, long polling on a fresh SQLite file (or `--database`).
- cluster: mode (b), `foodbot cluster`'s HAProxy and two `foodbot run` webhook instances on a
           throwaway database of the PostgreSQL server `--cluster-database`; CPU time and RSS
           are both instances' together (RSS also each), HAProxy's CPU time is added to the
           total and also printed apart. With `--redis` (default: REDIS_URL) the instances
           share that Redis (inbound limit, catalogue cache, outbound budget).

In `off`, the bare bot runs a second time with foodbot's other libraries loaded and unused
(`BARE_LIBRARIES=1`): its idle RSS is the least any bot on foodbot's stack can take, the
floor beside which foodbot's own memory is read.

The variants:

- off:   Telegram's flood limits off: the bot's own cost. updates/s, CPU ms per update (from
         /proc/<pid>/stat of the bot process only), p50/p99 answer time, idle and peak RSS.
- on:    Telegram's flood limits on (~30 messages/s per bot, ~1/s per chat; 429 past them):
         answered actions/s against that budget, and the 429s the bot ran into.
- flood: limits on; `--calm` customers at a person's pace (`--think` seconds per screen) while
         one user sends /start `--flood-rate` times a second: the calm users' p50/p99.
- count: foodbot alone as in `off`, with LOG_LEVEL=DEBUG, whose SQLAlchemy log lines (one per
         statement, on SQLite and PostgreSQL alike) give the database queries per update; its
         other figures are not comparable (it logs every statement).
- kill:  the cluster alone as in `off`, one instance killed with SIGKILL halfway through the
         window and not restarted: whether every step was still answered (the users' view:
         `unanswered`, given up after `--patience` s), p50/p99 across the kill, and how many
         updates the survivor took over from the dead one (claimed twice in the inbox; each
         answered at most twice) and how many were left not done once the users stopped (read
         until none is, for up to 20 s: a dead instance's updates wait for their leases).
         Polling and the bare bot have no second instance to kill.

An answer time runs from the user's action to the bot's message or edit showing its result, as
the sandbox clocked both. The simulator and the server share the machine with the bot. Prints a
table and one JSON line. Not a test: nothing here is timed by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.chaos_world import TOKEN
from bench.chat_cluster import ClusterBots, FoodbotCluster
from bench.chat_people import Customer, Flooder, Partner, Screens, Tally
from bench.chat_report import FLOOR, above_floor, print_table, ratios
from bench.chat_targets import BareBot, Bots, FoodbotPolling, Target, cpu_s, memory_mb
from bench.report import Refusals, machine
from sandbox import BotApiServer, RateLimits

CUSTOMER_IDS, PARTNER_IDS, FLOODER = 100_001, 500_001, 900_001
VARIANTS = ("off", "on", "flood", "count", "kill")
TARGETS = ("polling", "cluster")


class NoStart(Exception):
    """Users got no answer to their first message: this run measured nothing."""


def percentile(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000, 1)


async def measure(target: Target, variant: str, args: argparse.Namespace) -> dict[str, Any]:
    """One bot, one fresh server, one variant's load: its figures."""
    limits = RateLimits() if variant in ("on", "flood") else None
    refusals = Refusals()
    sandbox_log = logging.getLogger("sandbox.server")
    sandbox_log.setLevel(logging.INFO)
    sandbox_log.addHandler(refusals)
    try:
        async with BotApiServer(token=TOKEN, limits=limits) as server:
            screens = Screens()
            server.add_listener(screens)
            async with target.running(server, limits is not None, variant == "count") as bots:
                return await _load(server, screens, bots, refusals, variant, args)
    finally:
        sandbox_log.removeHandler(refusals)


async def _load(server: BotApiServer, screens: Screens, bots: Bots, refusals: Refusals,
                variant: str, args: argparse.Namespace) -> dict[str, Any]:
    calm, tally = variant == "flood", Tally()
    customers = [Customer(server.user(CUSTOMER_IDS + n, first_name=f"Customer{n}"), screens,
                          tally, args.patience, args.think if calm else 0.0)
                 for n in range(args.calm if calm else args.customers)]
    partners = [Partner(server.user(PARTNER_IDS + n, first_name=f"Rider{n}"), screens, tally,
                        args.patience, 0.0) for n in range(args.partners)]
    opened = await asyncio.gather(*(p.go_online() for p in partners),
                                  *(c.open_chat() for c in customers))
    if not all(opened):
        raise NoStart(f"{sum(not o for o in opened)} of {len(opened)} users got no answer to "
                      f"their first message within {args.patience:g} s")
    tally.actions.clear()
    pids, balancer = bots.pids(), bots.balancer_pid()
    idle_rss = [memory_mb(pid) for pid in pids]
    stop = asyncio.Event()
    flooder = Flooder(server.user(FLOODER, first_name="Flo"), args.flood_rate)
    lb0 = 0.0 if balancer is None else cpu_s(balancer)
    cpu0, wall0, started = bots.cpu_s(), time.time(), time.monotonic()
    refused0, calls0 = refusals.count, sum(screens.to_chat.values())
    people = [asyncio.create_task(c.run(stop)) for c in customers]
    if calm:
        people.append(asyncio.create_task(flooder.run(stop)))
    done = asyncio.Event()  # partners deliver until the customers are through
    riders = [asyncio.create_task(p.work(done)) for p in partners]
    killed = await _window(bots, variant, args.seconds)
    cpu, wall1, ended = bots.cpu_s() - cpu0, time.time(), time.monotonic()
    calls = sum(screens.to_chat.values()) - calls0  # the bot's messages and edits in the window
    lb_cpu = None if balancer is None else cpu_s(balancer) - lb0
    peak_rss = [memory_mb(pid, "VmHWM") for pid in bots.pids()]
    stop.set()
    await asyncio.gather(*people)  # each ends after its step in flight (within patience)
    done.set()
    await asyncio.gather(*riders)
    elapsed = ended - started
    answered = sorted(t for at, t in tally.actions if t is not None and at + t <= ended)
    queries = bots.queries(wall0, wall1)
    inbox = await bots.inbox_counts() if isinstance(bots, ClusterBots) else (None, None)
    per_update = 1000 / max(1, len(answered))
    return {
        "updates": len(tally.actions), "answered": len(answered),
        "unanswered": sum(t is None for _, t in tally.actions),
        "unanswered_steps": dict(tally.unanswered), "seconds": round(elapsed, 2),
        "updates_per_s": round(len(answered) / elapsed, 1),
        "cpu_ms_per_update": round((cpu + (lb_cpu or 0.0)) * per_update, 2),
        "balancer_cpu_ms_per_update": None if lb_cpu is None else round(lb_cpu * per_update, 2),
        "p50_ms": percentile(answered, 0.5), "p99_ms": percentile(answered, 0.99),
        "idle_rss_mb": round(sum(idle_rss), 1), "peak_rss_mb": round(sum(peak_rss), 1),
        "idle_rss_each_mb": [round(m, 1) for m in idle_rss],
        "peak_rss_each_mb": [round(m, 1) for m in peak_rss],
        "orders_placed": tally.journeys, "deliveries": tally.deliveries,
        "http_429": refusals.count - refused0,
        "queries_per_update": None if queries is None else round(
            queries / max(1, len(answered)), 2),
        "flood_sent": flooder.sent, "flood_answered": screens.to_chat.get(FLOODER, 0),
        "bot_calls_per_update": round(calls / max(1, len(answered)), 2)
        if not calm else None,
        "killed": killed, "taken_over": inbox[0], "not_done_at_end": inbox[1],
    }


async def _window(bots: Bots, variant: str, seconds: float) -> str | None:
    """The measured window: steady load, all users busy. In `kill`, the cluster loses an
    instance (SIGKILL) halfway through: returns its name."""
    if variant != "kill" or not isinstance(bots, ClusterBots):
        await asyncio.sleep(seconds)
        return None
    await asyncio.sleep(seconds / 2)
    killed = await bots.kill_one()
    await asyncio.sleep(seconds / 2)
    return killed


def targets(args: argparse.Namespace) -> list[tuple[str, Target]]:
    """(kind, target) for each chosen target, then the bare bot they are compared with, and
    (in `off` only) the bare bot with foodbot's libraries loaded: the idle memory any bot on
    this stack starts from, beside the bare bot's."""
    partners = [PARTNER_IDS + n for n in range(args.partners)]
    chosen: list[tuple[str, Target]] = []
    if "polling" in args.targets:
        chosen.append(("polling", FoodbotPolling(partners, args.database)))
    if "cluster" in args.targets:
        chosen.append(("cluster", FoodbotCluster(partners, args.cluster_database,
                                                 redis_url=args.redis)))
    return [*chosen, ("bare", BareBot()),
            ("floor", BareBot(FLOOR, libraries=True))]


def _runs(kind: str, variant: str) -> bool:
    """Whether a target of `kind` runs in `variant`: `count` is foodbot's alone, `kill` the
    cluster's, and the libraries' floor is a memory figure, measured in `off`."""
    if variant == "kill":
        return kind == "cluster"
    if kind == "floor":
        return variant == "off"
    return not (variant == "count" and kind == "bare")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load = _load_average()  # before we add ours
    results: dict[str, dict[str, Any]] = {}
    for variant in args.only:
        for kind, target in targets(args):
            if not _runs(kind, variant):
                continue
            print(f"{variant}: {target.name} ...", file=sys.stderr, flush=True)
            try:
                measured = {"target": kind} | await measure(target, variant, args)
            except NoStart as failed:  # a figure too: the other runs go on
                measured = {"target": kind, "failed": str(failed)}
            print(json.dumps(measured), file=sys.stderr, flush=True)  # kept if a later run fails
            results.setdefault(variant, {})[target.name] = measured
    polling = ("PostgreSQL" if args.database else "SQLite") if "polling" in args.targets else None
    return {"bench": "chat", "database": polling,  # the polling target's; the cluster's is PG
            "targets": args.targets, "cluster_instances": 2 if "cluster" in args.targets else 0,
            "cluster_redis": "cluster" in args.targets and args.redis is not None,
            "customers": args.customers, "partners": args.partners,
            "calm_customers": args.calm, "seconds": args.seconds, "results": results,
            "ratios": ratios(results), "rss_above_libraries": above_floor(results),
            "machine": machine(), "load_average": load}


def _load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages: how busy it was besides us."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def variants(spec: str) -> list[str]:
    chosen = [v for v in spec.split(",") if v]
    if unknown := set(chosen) - set(VARIANTS):
        raise argparse.ArgumentTypeError(f"unknown {sorted(unknown)}: {', '.join(VARIANTS)}")
    return chosen


def target_names(spec: str) -> list[str]:
    chosen = [t for t in spec.split(",") if t]
    if unknown := set(chosen) - set(TARGETS):
        raise argparse.ArgumentTypeError(f"unknown {sorted(unknown)}: {', '.join(TARGETS)}")
    return chosen


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured load per run")
    parser.add_argument("--calm", type=int, default=20, help="customers beside the flooder")
    parser.add_argument("--think", type=float, default=1.0, help="a calm customer's pause, s")
    parser.add_argument("--flood-rate", type=float, default=50.0, help="the flooder's /start a s")
    parser.add_argument("--patience", type=float, default=30.0,
                        help="an unanswered step is given up after this many seconds")
    parser.add_argument("--database", default=None,
                        help="a PostgreSQL URL for the polling foodbot (default: a SQLite "
                        "file)")
    parser.add_argument("--targets", type=target_names, default=["polling"],
                        help="foodbot as: polling (mode a), cluster (mode b: HAProxy and two "
                        "webhook instances); comma-separated, default polling")
    parser.add_argument("--cluster-database", default=None,
                        help="the PostgreSQL server the cluster's throwaway database is made on")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or None,
                        help="a Redis URL the cluster's instances share (default: REDIS_URL; "
                        "none: each instance keeps its own state)")
    parser.add_argument("--only", type=variants, default=list(VARIANTS),
                        help="variants to run, comma-separated (default off,on,flood,count,kill)")
    args = parser.parse_args(argv)
    if "cluster" in args.targets and not args.cluster_database:
        parser.error("--targets cluster needs --cluster-database postgresql+asyncpg://...")
    return args


def main() -> None:
    result = asyncio.run(run(parse()))
    print_table(result)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
