"""Chaos run (DESIGN.md §9): customers order and partners deliver while the bot is killed.

    python bench/chaos.py [--orders 60] [--customers 10] [--partners 10] [--kills 5]
                          [--faults error=0.05,delay=0.02] [--database postgresql+asyncpg://...]
                          [--instances 2] [--seed 1]

The project's local Bot API server (`sandbox`) runs in this process with N customers, N
partners and an admin on it; the bot runs beside it as separate `foodbot run` processes
(`--instances`, all on one database), configured through the environment. The admin approves
the partners who ask with /partner, they go /online; then every customer orders, one order
after another, through the chat's buttons (/restaurants, Dominos, ➕ Pizza, Cart, Checkout,
the address, Place order) and waits for the order to end, while partners accept, pick up and
deliver from their chat. Meanwhile a random instance is killed with SIGKILL, `--kills` times,
each at a random moment (`--kill-after` seconds after all were up; seeded by `--seed`) and
started again at once. `--faults` makes the server answer a share of all Bot API calls with
500 (`error`) or hold them past the client's timeout (`delay`, for `delay_s` seconds).

People behave like people: a press or a message that gets no reply within their patience
(`--patience` seconds, ±50 %) is repeated (counted as retries), up to `--tries` times.

With `--instances 2` on PostgreSQL the second instance shares the queue and the outbox. Two
instances polling one token fight over getUpdates (409 Conflict, counted as poll_conflicts)
until the bot lets a second instance stand by as a worker only.

At the end, from the database and the server's transcript (bench/chaos_checks.py,
bench/chaos_notices.py): every order over or waiting for a reason that will move it; no order
lost or duplicated; no transition recorded twice; no partner with two active orders; no update
unanswered; duplicate and stale notifications; per-chat order. Prints a table and one JSON line;
exits 1 when an order was lost or duplicated, a transition recorded twice, a partner held two
orders or a chat got its messages out of order. Not a test: nothing here is timed by pytest
(tests/e2e/test_chaos.py runs a small version).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.chaos_run import run_chaos
from bench.chaos_world import ChaosConfig
from bench.report import machine, print_rows
from sandbox import Faults

MUST_HOLD = ("orders_lost", "orders_duplicated", "transitions_twice", "partners_two_active_now",
             "partners_two_active_ever", "chat_order_broken")


def faults(spec: str) -> Faults:
    """`error=0.15,delay=0.08,delay_s=6` -> Faults."""
    given = dict(part.split("=", 1) for part in spec.split(",") if part)
    unknown = set(given) - {"error", "delay", "delay_s"}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown fault {sorted(unknown)}: error, delay, delay_s")
    return Faults(error_rate=float(given.get("error", 0)), delay_rate=float(given.get("delay", 0)),
                  delay_s=float(given.get("delay_s", 6)), seed=7)


def span(spec: str) -> tuple[float, float]:
    low, _, high = spec.partition(":")
    return float(low), float(high or low)


def print_table(r: dict[str, Any]) -> None:
    f = r.get("faults")
    rows = [
        ("database, instances", f"{r['database']}, {r['instances']}"),
        ("orders, customers, partners", f"{r['orders']}, {r['customers']}, "
         f"{r['partners']} ({r['partners_online']} online)"),
        ("kills (SIGKILL), crashes", f"{r['kills']}, {r['crashes']} (a start takes "
         f"{r['startup_s']} s; {r['poll_conflicts']} poll conflicts)"),
        ("Telegram faults", f"{f['error']:.0%} answered 500, {f['delay']:.0%} held "
         f"{f['delay_s']:g} s" if f else "none"),
        ("time", f"onboarding {r['onboarding_s']} s, ordering {r['ordering_s']} s, "
         f"total {r['total_s']} s" + ("; STOPPED at --timeout" if r["timed_out"] else "")
         + ("" if r["settled"] else "; not settled")),
        ("people's updates", f"{r['updates_sent']} ({r['texts_sent']} messages, "
         f"{r['presses_sent']} presses); {r['retries']} repeated for lack of reply, "
         f"{r['steps_given_up']} steps given up, {r['journeys_restarted']} journeys restarted"),
        ("updates unanswered", f"{r['updates_unanswered']} ({r['texts_unanswered']} messages, "
         f"{r['presses_unanswered']} presses)"),
        ("orders placed, checkouts", f"{r['orders_placed']}, {r['checkouts']}: "
         + ", ".join(f"{k} {v}" for k, v in r["orders_by_status"].items())),
        ("orders waiting, stuck", f"{r['orders_waiting']}, {r['orders_stuck']}"),
        ("orders lost, duplicated", f"{r['orders_lost']}, {r['orders_duplicated']} "
         f"({r['orders_never_shown']} placed but never shown to the customer)"),
        ("transitions recorded twice", f"{r['transitions_twice']} "
         f"({r['histories_broken']} broken histories)"),
        ("partners with two active orders", f"{r['partners_two_active_now']} at the end, "
         f"{r['partners_two_active_ever']} during the run"),
        ("notifications", f"{r['notifications_written']} written, "
         f"{r['notifications_arrived']} arrivals: {r['notifications_duplicated']} duplicates "
         f"({r['duplicates_per_1000']} per 1,000; {r['duplicates_cut_by_a_kill']} of them "
         "resent after a kill cut the send)"),
        ("stale notifications", f"{r['stale_offers']} offers, {r['stale_other']} others "
         f"({r['stale_raced']} overtaken < 1 s before they arrived)"),
        ("per-chat order broken", str(r["chat_order_broken"])),
        ("machine", "{cores} cores, Python {python}, SQLite {sqlite}; "
         "3e6-square sum in {cpu_check_s} s".format(**r["machine"])),
    ]
    print_rows(rows)
    for order, why in r["waiting_why"].items():
        print(f"  order {order}: {why}")
    for line in r["notification_examples"]:
        print(f"  {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--kill-after", type=span, default=(1.0, 4.0), metavar="MIN:MAX",
                        help="seconds after all instances are up (default 1:4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", type=faults, default=None, metavar="error=R,delay=R")
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--patience", type=float, default=4.0, help="seconds (default 4)")
    parser.add_argument("--tries", type=int, default=6)
    parser.add_argument("--no-flood-limits", action="store_true")
    parser.add_argument("--logs", type=Path, default=None, help="keep the bot's logs here")
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    config = ChaosConfig(
        orders=args.orders, customers=args.customers, partners=args.partners, kills=args.kills,
        kill_after=args.kill_after, seed=args.seed, faults=args.faults, database=args.database,
        instances=args.instances, flood_limits=not args.no_flood_limits,
        patience_s=args.patience, tries=args.tries, logs=args.logs, timeout_s=args.timeout)
    result = asyncio.run(run_chaos(config, lambda line: print(line, file=sys.stderr)))
    result.update({
        "orders": args.orders, "customers": args.customers, "partners": args.partners,
        "instances": args.instances, "seed": args.seed, "flood_limits": config.flood_limits,
        "faults": args.faults and {"error": args.faults.error_rate,
                                   "delay": args.faults.delay_rate,
                                   "delay_s": args.faults.delay_s},
        "machine": machine(),
    })
    print_table(result)
    print(json.dumps({"bench": "chaos", **result}, sort_keys=True, default=str))
    return 1 if any(result[name] for name in MUST_HOLD) else 0


if __name__ == "__main__":
    sys.exit(main())
