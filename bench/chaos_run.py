"""One chaos run, start to end: the server, the database, the bot processes, the people, the
kills, then the checks. `run_chaos` returns every figure as one flat dict."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import chaos_checks, chaos_notices
from bench.chaos_people import Diary
from bench.chaos_roles import Admin, Customer, Partner
from bench.chaos_world import (
    ADMIN,
    TOKEN,
    ChaosConfig,
    Fleet,
    bot_environment,
    log_folder,
    prepared_database,
)
from sandbox import BotApiServer, CallbackAnswer, CallbackPress, RateLimits
from storage.db import make_engine
from storage.sql import ORDERS, OUTBOX

CUSTOMER_IDS, PARTNER_IDS = 100_001, 500_001


class People:
    def __init__(self, server: BotApiServer, config: ChaosConfig) -> None:
        self.diary = Diary()
        rng = random.Random(config.seed)

        def person(kind: type[Any], user_id: int, name: str) -> Any:
            user = server.user(user_id, first_name=name)
            return kind(server, user, self.diary, config, random.Random(rng.random()))

        self.admin: Admin = person(Admin, ADMIN, "Meera")
        self.customers: list[Customer] = [person(Customer, CUSTOMER_IDS + n, f"Customer{n}")
                                          for n in range(config.customers)]
        self.partners: list[Partner] = [person(Partner, PARTNER_IDS + n, f"Rider{n}")
                                        for n in range(config.partners)]

    async def onboard(self) -> int:
        """The admin opens their chat, then every partner asks, is approved and goes online;
        returns how many partners made it."""
        await self.admin.open_chat()
        joined, _ = await asyncio.gather(
            asyncio.gather(*(p.join() for p in self.partners)),
            self.admin.approve({p.id for p in self.partners}))
        return sum(joined)

    async def order(self, orders: int) -> None:
        shares = [orders // len(self.customers) + (n < orders % len(self.customers))
                  for n in range(len(self.customers))]
        await asyncio.gather(*(c.run(k) for c, k in zip(self.customers, shares, strict=True)))


Say = Callable[[str], object]


async def run_chaos(config: ChaosConfig, say: Say = lambda line: None) -> dict[str, Any]:
    """The run; `say` hears a line of progress every few seconds."""
    limits = RateLimits() if config.flood_limits else None  # RateLimits(): Telegram's
    async with (BotApiServer(token=TOKEN, limits=limits,
                             callback_query_ttl=config.press_ttl_s) as server,
                prepared_database(config, server) as url):
        with log_folder(config) as folder:
            return await _run(config, server, url, folder, say)


async def _run(config: ChaosConfig, server: BotApiServer, url: str, folder: Path,
               say: Say) -> dict[str, Any]:
    clock_offset = time.time() - time.monotonic()  # the server's clock is time.monotonic
    started = time.perf_counter()
    people = People(server, config)
    fleet = Fleet(bot_environment(config, server, url), folder, config.instances)
    if config.faults is not None:
        server.set_faults(config.faults)
    stop, at = asyncio.Event(), {"start": started}
    figures: dict[str, Any] = {"partners_online": 0, "settled": False, "timed_out": False}
    helpers = [asyncio.create_task(progress(people, fleet, say, started))]
    try:
        async with asyncio.timeout(config.timeout_s):
            await fleet.start()
            figures["partners_online"] = await people.onboard()
            at["onboarded"] = time.perf_counter()
            kills = asyncio.create_task(
                fleet.chaos(config.kills, config.kill_after, random.Random(config.seed)))
            helpers += [kills, *(asyncio.create_task(p.work(stop)) for p in people.partners)]
            await people.order(config.orders)
            at["ordered"] = time.perf_counter()
            kills.cancel()
            figures["settled"] = await settle(url, config.settle_s)
    except TimeoutError:  # the figures so far are still worth checking
        figures["timed_out"] = True
    finally:
        stop.set()
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        await fleet.stop()
        server.set_faults(None)
    stored = await chaos_checks.load(url)
    checkouts = [c for customer in people.customers for c in customer.checkouts]
    diary = people.diary
    return {
        "database": stored.server, **figures,
        **chaos_checks.orders(stored, checkouts),
        **chaos_checks.transitions(stored),
        **chaos_checks.partners(stored),
        **chaos_checks.updates(diary.actions, server.transcript, answers(server)),
        **chaos_notices.notifications(stored, server.transcript, clock_offset,
                                      fleet.killed_at),
        "kills": fleet.kills, "crashes": len(fleet.crashes), "crashes_how": fleet.crashes,
        "poll_conflicts": fleet.conflicts,
        "bot_error_lines": fleet.errors, "pending_updates": len(server.pending_updates),
        "startup_s": round(sum(fleet.startups_s) / max(1, len(fleet.startups_s)), 2),
        "retries": diary.retries, "apologies": diary.apologies,
        "steps_given_up": diary.gave_up,
        "refusals": dict(diary.refused), "buttons_gone": dict(diary.missing),
        "pickups_too_early": diary.not_ready,
        "journeys_restarted": sum(c.restarts for c in people.customers),
        "orders_abandoned": sum(c.abandoned for c in people.customers),
        "customers_waited_out": sum(c.waited_out for c in people.customers),
        "deliveries_pressed": sum(p.deliveries for p in people.partners),
        "onboarding_s": _span(at, "start", "onboarded"),
        "ordering_s": _span(at, "onboarded", "ordered"),
        "total_s": round(time.perf_counter() - started, 1), "logs": str(folder),
    }


def _span(at: dict[str, float], start: str, end: str) -> float | None:
    return round(at[end] - at[start], 1) if start in at and end in at else None


async def progress(people: People, fleet: Fleet, say: Say, started: float) -> None:
    while True:
        await asyncio.sleep(10.0)  # a line of progress every ten seconds
        checkouts = [c for customer in people.customers for c in customer.checkouts]
        say(f"{time.perf_counter() - started:.0f} s: {fleet.kills} kills, "
            f"{len(fleet.crashes)} crashes, {len(checkouts)} checkouts, "
            f"{sum(1 for c in checkouts if c.ended)} orders seen over, "
            f"{people.diary.retries} retries")


def answers(server: BotApiServer) -> Callable[[CallbackPress], CallbackAnswer | None]:
    return lambda press: server.user(press.user_id).answer_of(press)


async def settle(url: str, within: float) -> bool:
    """Waits until every order is over and the outbox has nothing left to send (or `within`
    seconds); True when both came true."""
    engine = make_engine(url)
    unsettled = select(
        select(func.count()).where(ORDERS.c.status.not_in(chaos_checks.FINAL))
        .scalar_subquery()
        + select(func.count()).where(OUTBOX.c.sent_at.is_(None), OUTBOX.c.given_up_at.is_(None))
        .scalar_subquery())
    deadline = time.monotonic() + within
    try:
        while True:
            async with engine.connect() as db:
                if (await db.execute(unsettled)).scalar_one() == 0:
                    return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.2)  # a poll of the database, bounded by the deadline
    finally:
        await engine.dispose()
