"""Telegram calls per delivered order (issue 12), counted by the local Bot API server.

    python bench/calls.py [--orders 10] [--database-url postgresql+asyncpg://...] [--transcript]

The local server runs in this process with Telegram's flood limits on, and the real bot
(`bot.wiring.polling`: the Application `foodbot run` starts, its queue worker and outbox
sender, default settings) against a fresh seeded database: a temporary SQLite file, or a
throwaway database on the PostgreSQL server `--database-url` points at. Two rounds, one after
the other: `--orders` customers at once order at Dominos (no restaurant manager: confirmed
automatically, cooks instantly), then as many at Udupi Tiffins, linked to a kitchen chat.

Customers go through the chat as people do (menu, dish, cart, checkout, 📍 Share location,
Place order). Partners (approved, online, their chats open) and the kitchen act through the
entry points their buttons call (`services.pipeline`: `restaurant_accept`, `accept_offer`,
`restaurant_ready`, `picked_up`, `delivered`), each once what they need has arrived in their
chat, and each step only once the messages the step before wrote have gone out, as people
who read before they tap.

Counted from the server's own record of calls (`BotApiServer.before_call`, every request,
429s included): for each customer the calls to their chat from their Place order press on,
less the press's own reply (the summary edited into the tracking message); every call to the
partners', the kitchen's and the admins' chats during the round. Replies to the partners' and
the kitchen's presses are not made (they press no button here): what is counted is what the
bot sends on its own, the outbox. Prints a table and one JSON line; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_database import database
from report import Refusals, machine, print_rows
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from bot.context import Services
from bot.settings import load_settings
from bot.wiring import polling, seed_database
from domain.ids import OrderId, UserId
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from sandbox import BotApiServer, RateLimits, SandboxUser
from storage.db import make_engine, make_sessionmaker
from storage.sql import OUTBOX
from storage.uow import uow_factory
from tests.e2e.journey import add_dishes, open_menu, press

TOKEN = "123456:CALLS-local-sandbox-token"
ADMIN, KITCHEN_CHAT = 9_001, 8_001
FIRST_CUSTOMER, FIRST_PARTNER = 300_001, 400_001
HOME = (12.9716, 77.5946)
STEP_S = 60.0  # the longest any one step may take before the run gives up
ROUNDS = (("no manager", "Dominos", "➕ Pizza · ₹250.00"),
          ("kitchen chat", "Udupi Tiffins", "➕ Masala Dosa · ₹90.00"))


@dataclass
class Ledger:
    """The server's record of calls, by round, recipient and method."""

    roles: dict[int, str] = field(default_factory=dict)
    placing: set[int] = field(default_factory=set)  # customers counted from Place order on
    round: str | None = None
    calls: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def __call__(self, method: str, chat_id: int | None) -> None:
        role = self.roles.get(chat_id) if chat_id is not None else None
        if self.round is None or role is None:
            return
        if role == "customer" and chat_id not in self.placing:
            return
        self.calls[(self.round, role, method)] += 1

    def refused(self, method: str, chat_id: int) -> None:
        """A call the server answered 429 (counted above first): made, but it did nothing."""
        role = self.roles.get(chat_id)
        if self.round is not None and role is not None and (
                role != "customer" or chat_id in self.placing):
            self.calls[(self.round, role, method)] -= 1
            self.calls[(self.round, role, f"{method} (429)")] += 1


class Refused(logging.Handler):
    """The sandbox logs each 429 it answers ("rate limit: METHOD to chat CHAT, ...")."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(logging.INFO)
        self.ledger = ledger

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("rate limit:") and len(record.args or ()) >= 2:
            method, chat_id = record.args[:2]  # type: ignore[index]
            self.ledger.refused(str(method), int(chat_id))


@dataclass
class World:
    server: BotApiServer
    services: Services
    ledger: Ledger
    engine: AsyncEngine
    kitchen_chat: int | None = None

    async def settled(self, *chats: int) -> None:
        """Until no message to these chats waits in the outbox."""
        stmt = select(func.count()).select_from(OUTBOX).where(
            OUTBOX.c.chat_id.in_(chats), OUTBOX.c.sent_at.is_(None),
            OUTBOX.c.given_up_at.is_(None))
        async with asyncio.timeout(STEP_S):
            while True:
                async with self.engine.connect() as connection:
                    if not (await connection.execute(stmt)).scalar_one():
                        return
                await asyncio.sleep(0.05)  # a poll of the database, under the deadline

    async def arrives(self, chats: list[int], needle: str) -> int:
        """The chat (of `chats`) where a bot message containing `needle` arrived."""
        def probe() -> int | None:
            return next((c for c in chats for m in self.server.user(c).bot_messages
                         if needle in m.content), None)
        return await self.server.state.notifier.wait_for(probe, STEP_S)


async def one_order(world: World, customer: SandboxUser, restaurant: str, dish: str,
                    partners: list[int]) -> bool:
    """A customer orders through the chat; kitchen and partner act; True once delivered."""
    await open_menu(customer, restaurant)
    await add_dishes(customer, dish)
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    await customer.tap_reply_button(texts.SHARE_LOCATION_BUTTON, location=HOME)
    await customer.wait_for_new(lambda m: "Check your order" in m.content, timeout=STEP_S)
    world.ledger.placing.add(customer.id)
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #")
    order = OrderId(int(tracking.content.split("Order #")[1].split()[0]))
    pipeline, kitchen = world.services.pipeline, world.kitchen_chat
    if kitchen is not None:
        await world.arrives([kitchen], f"New order #{order}\n")
        await pipeline.restaurant_accept(order, kitchen)
    rider = UserId(await world.arrives(partners, f"order #{order}\n"))
    chats = (customer.id, rider, *((kitchen,) if kitchen is not None else ()))
    await world.settled(*chats)  # the partner reads the whole offer before taking it
    await pipeline.accept_offer(order, rider)
    await world.settled(*chats)
    if kitchen is not None:
        await pipeline.restaurant_ready(order, kitchen)
        await world.settled(*chats)
    await pipeline.picked_up(order, rider)
    await world.settled(*chats)
    await pipeline.delivered(order, rider)
    await world.settled(*chats)
    last = customer.bot_messages[-1]  # the tracking message, sent anew when delivered
    return (last.message_id != tracking.message_id
            and texts.status(OrderStatus.DELIVERED) in last.content)


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    refusals, ledger = Refusals(), Ledger()
    refused = Refused(ledger)
    sandbox_log = logging.getLogger("sandbox.server")
    sandbox_log.setLevel(logging.INFO)
    sandbox_log.addHandler(refusals)
    sandbox_log.addHandler(refused)
    delivered: Counter[str] = Counter()
    try:
        async with BotApiServer(token=TOKEN, limits=RateLimits()) as server:
            settings = load_settings(
                _env_file=None, telegram_bot_token=TOKEN, telegram_base_url=server.base_url,
                telegram_base_file_url=server.base_file_url, database_url=url,
                admin_ids=frozenset({ADMIN}))
            await seed_database(settings)
            partners = await prepare(server, settings.database_url, ledger, args.orders)
            server.before_call(ledger)
            engine = make_engine(url)
            async with polling(settings) as app:
                world = World(server, app.bot_data["services"], ledger, engine)
                for n, (name, restaurant, dish) in enumerate(ROUNDS):
                    world.kitchen_chat = KITCHEN_CHAT if name == "kitchen chat" else None
                    ledger.round = name
                    customers = [server.user(FIRST_CUSTOMER + n * args.orders + c,
                                             first_name=f"Customer {c}")
                                 for c in range(args.orders)]
                    for customer in customers:
                        ledger.roles[customer.id] = "customer"
                    done = await asyncio.gather(*(
                        one_order(world, customer, restaurant, dish, partners)
                        for customer in customers))
                    delivered[name] = sum(done)
                    ledger.round = None
            server.before_call(None)
            if args.transcript:
                print(server.format_transcript())
            await engine.dispose()
    finally:
        sandbox_log.removeHandler(refusals)
        sandbox_log.removeHandler(refused)
    return report(ledger, delivered, args, refusals.count)


async def prepare(server: BotApiServer, url: str, ledger: Ledger, orders: int) -> list[int]:
    """Udupi Tiffins linked to the kitchen chat; Dominos cooks instantly; `orders` partners
    approved and online, every non-customer chat open."""
    engine = make_engine(url)
    partners = [FIRST_PARTNER + p for p in range(orders)]
    try:
        async with uow_factory(make_sessionmaker(engine))() as uow:
            for name, manager in (("Dominos", None), ("Udupi Tiffins", KITCHEN_CHAT)):
                found = await uow.restaurants.get_by_name(name)
                assert found is not None, name
                await uow.restaurants.save(replace(found, prep_minutes=0,
                                                   manager_chat_id=manager))
            for p in partners:
                await uow.partners.save(Partner(UserId(p), f"Rider {p - FIRST_PARTNER}",
                                                PartnerStatus.APPROVED, online=True))
            await uow.commit()
    finally:
        await engine.dispose()
    for chat, role in ((ADMIN, "admin"), (KITCHEN_CHAT, "kitchen"),
                       *((p, "partner") for p in partners)):
        server.user(chat, first_name=role.title())
        server.state.open_chat(chat)
        ledger.roles[chat] = role
    return partners


def report(ledger: Ledger, delivered: Counter[str], args: argparse.Namespace,
           refused: int) -> dict[str, Any]:
    rounds: dict[str, Any] = {}
    for name, *_ in ROUNDS:
        n = delivered[name] or 1
        ours = {(role, method): count for (r, role, method), count in ledger.calls.items()
                if r == name}
        ours[("customer", "editmessagetext")] -= args.orders  # the Place press's own reply
        by_role: Counter[str] = Counter()
        for (role, _), count in ours.items():
            by_role[role] += count
        rounds[name] = {
            "delivered": delivered[name], "orders": args.orders,
            "per_order": round(sum(ours.values()) / n, 2),
            "by_recipient": {role: round(c / n, 2) for role, c in sorted(by_role.items())},
            "by_method": {f"{role} {method}": round(c / n, 2)
                          for (role, method), c in sorted(ours.items()) if c},
        }
    return {"bench": "calls", "rounds": rounds, "http_429": refused, "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10, help="orders at once, each round")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server to make a throwaway database on "
                             "(default: a temporary SQLite file)")
    parser.add_argument("--transcript", action="store_true", help="print the chats too")
    args = parser.parse_args()
    async def go() -> dict[str, Any]:
        async with database(args.database_url) as url:
            return await run(args, url)

    result = asyncio.run(go())
    rows = []
    for name, r in result["rounds"].items():
        rows.append((f"{name}: calls per delivered order",
                     f"{r['per_order']}  ({r['delivered']} of {r['orders']} delivered)"))
        rows.append(("  by recipient", ", ".join(f"{k} {v}" for k, v in
                                                 r["by_recipient"].items())))
        rows += [(f"  {k}", str(v)) for k, v in r["by_method"].items()]
    rows += [("429s", str(result["http_429"])),
             ("machine", "{cores} cores, Python {python}, SQLite {sqlite}; 3e6-square sum in "
                         "{cpu_check_s} s".format(**result["machine"]))]
    print_rows(rows)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
