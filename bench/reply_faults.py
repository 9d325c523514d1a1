"""Checkout under Telegram's faults (issue #10 item 11): how long customers take to place an
order while the Bot API fails and stalls, beside the same run without faults.

    python bench/reply_faults.py [--customers 15] [--error-rate 0.15] [--delay-rate 0.08]
                                 [--delay-s 8] [--fault-updates] [--rounds 1]

Runs the real bot (`bot.wiring.polling`, as the end-to-end tests do) against the project's
local Bot API server on a fresh seeded SQLite file, with Telegram's flood limits on. N
simulated customers start at once and each goes from /restaurants to a placed order
(`tests.e2e.journey.check_out_within`, the journey of the end-to-end test). First a reference
round without faults, then the rounds with faults: a share of the bot's calls answered 500
and a share held past the client's timeout (then performed all the same, as Telegram does).
getUpdates is spared unless `--fault-updates`: its stalls measure PTB's updater, and with the
one-second long polls used here they hit far more often than with `foodbot run`'s ten.

Prints a table and one JSON line. Not a test: nothing here is timed by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from report import machine, print_rows
from sqlalchemy import func, select

from bot.settings import load_settings
from bot.wiring import polling, seed_database
from sandbox import BotApiServer, Faults
from storage.db import make_engine, make_sessionmaker
from storage.rows import OrderRow
from tests.e2e.journey import check_out_within

TOKEN = "123456:BENCH-reply-faults"
GIVE_UP_S = 300.0  # a customer still without an order after this is counted as stuck


async def one_round(customers: int, faults: Faults | None) -> dict[str, Any]:
    """One fresh bot and server; every customer checks out at once."""
    with tempfile.TemporaryDirectory() as folder:
        async with BotApiServer(token=TOKEN) as server:
            settings = load_settings(
                _env_file=None, telegram_bot_token=TOKEN, telegram_base_url=server.base_url,
                telegram_base_file_url=server.base_file_url,
                database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
            await seed_database(settings)
            async with polling(settings):
                users = [server.user(5000 + n, first_name=f"Customer {n}")
                         for n in range(customers)]
                server.set_faults(faults)
                results = await asyncio.gather(
                    *(check_out_within(user, GIVE_UP_S) for user in users),
                    return_exceptions=True)
                server.set_faults(None)
            injected = server.injected_faults
        engine = make_engine(settings.database_url)
        async with make_sessionmaker(engine)() as session:
            per_customer = (await session.execute(
                select(func.count()).select_from(OrderRow).group_by(OrderRow.customer_id)
            )).scalars().all()
        await engine.dispose()
    took = sorted(r for r in results if isinstance(r, float))
    return {
        "took_s": took, "stuck": len(results) - len(took),
        "orders": sum(per_customer), "customers_with_two_orders": sum(n > 1 for n in per_customer),
        "errors_500": sum(f.code == 500 for f in injected),
        "delayed": sum(f.delay_s > 0 for f in injected),
        "updates_faulted": sum(f.method == "getupdates" for f in injected),
    }


def summary(took: list[float]) -> dict[str, float]:
    if not took:
        return {"min_s": 0.0, "p50_s": 0.0, "max_s": 0.0}
    return {"min_s": round(took[0], 1), "p50_s": round(statistics.median(took), 1),
            "max_s": round(took[-1], 1)}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    exempt = [] if args.fault_updates else ["getUpdates"]
    faults = Faults(error_rate=args.error_rate, delay_rate=args.delay_rate,
                    delay_s=args.delay_s, exempt=exempt)
    reference = await one_round(args.customers, None)
    rounds = [await one_round(args.customers, faults) for _ in range(args.rounds)]
    took = sorted(t for r in rounds for t in r["took_s"])
    return {
        "customers": args.customers, "rounds": args.rounds, "error_rate": args.error_rate,
        "delay_rate": args.delay_rate, "delay_s": args.delay_s,
        "get_updates_faulted": args.fault_updates,
        "reference": summary(reference["took_s"]), "faulted": summary(took),
        "max_per_round_s": [summary(r["took_s"])["max_s"] for r in rounds],
        "stuck": sum(r["stuck"] for r in rounds),
        "orders": sum(r["orders"] for r in rounds),
        "customers_with_two_orders": sum(r["customers_with_two_orders"] for r in rounds),
        "errors_500": sum(r["errors_500"] for r in rounds),
        "delayed": sum(r["delayed"] for r in rounds),
        "updates_faulted": sum(r["updates_faulted"] for r in rounds),
    }


def print_table(r: dict[str, Any]) -> None:
    def times(s: dict[str, float]) -> str:
        return f"{s['min_s']} / {s['p50_s']} / {s['max_s']} s"

    rows = [
        ("customers at once x rounds", f"{r['customers']} x {r['rounds']}"),
        ("faults", f"{r['error_rate']:.0%} answered 500, {r['delay_rate']:.0%} held "
         f"{r['delay_s']:g} s; getUpdates {'too' if r['get_updates_faulted'] else 'spared'}"),
        ("checkout without faults min / p50 / max", times(r["reference"])),
        ("checkout with faults min / p50 / max", times(r["faulted"])),
        ("slowest customer of each round", ", ".join(f"{s} s" for s in r["max_per_round_s"])),
        ("injected: 500s / delays / on getUpdates",
         f"{r['errors_500']} / {r['delayed']} / {r['updates_faulted']}"),
        ("orders placed / customers stuck / with two orders",
         f"{r['orders']} / {r['stuck']} / {r['customers_with_two_orders']}"),
        ("machine", "{cores} cores, Python {python}; 3e6-square sum in {cpu_check_s} s"
         .format(**r["machine"])),
    ]
    print_rows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--error-rate", type=float, default=0.15)
    parser.add_argument("--delay-rate", type=float, default=0.08)
    parser.add_argument("--delay-s", type=float, default=8.0,
                        help="how long a held call waits (past PTB's 5 s client timeout)")
    parser.add_argument("--fault-updates", action="store_true", help="fault getUpdates too")
    parser.add_argument("--log", action="store_true", help="show the bot's warnings and errors")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING if args.log else logging.CRITICAL)
    result = asyncio.run(run(args))
    result["machine"] = machine()
    print_table(result)
    print(json.dumps({"bench": "reply_faults", **result}, sort_keys=True))


if __name__ == "__main__":
    main()
