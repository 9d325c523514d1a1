"""What the chaos run checks at the end, from the database and the server's record.

- every order final (DELIVERED, CANCELLED, FAILED) or waiting for a reason that will move it;
- no order lost (shown to its customer, missing from the database) or placed twice for one
  checkout; no order transition recorded twice; no partner with two active orders, now or at
  any time of the run;
- no update unanswered: every press answered (answerCallbackQuery), every message replied to.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, select, text

from bench.chaos_people import Action
from bench.chaos_roles import Checkout
from domain.orders import OrderStatus
from sandbox import CallbackAnswer, CallbackPress, TranscriptEvent
from storage.db import make_engine
from storage.pipeline.sql import OFFERS
from storage.sql import ORDER_EVENTS, ORDERS, OUTBOX, TASKS, TRACKING_MESSAGES

FINAL = {s.value for s in (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.FAILED)}


@dataclass(frozen=True)
class Stored:
    """The database at the end of the run."""

    orders: Sequence[Row[Any]]
    events: Sequence[Row[Any]]
    offers: Sequence[Row[Any]]
    outbox: Sequence[Row[Any]]
    tasks: Sequence[Row[Any]]
    tracking: Sequence[Row[Any]]
    server: str  # "SQLite 3.40.1", "PostgreSQL 15.2 ..."

    def events_of(self) -> dict[int, list[Row[Any]]]:
        by_order: dict[int, list[Row[Any]]] = defaultdict(list)
        for event in sorted(self.events, key=lambda e: e.id):
            by_order[event.order_id].append(event)
        return by_order


async def load(url: str) -> Stored:
    engine = make_engine(url)
    try:
        async with engine.connect() as db:
            async def rows(*columns: Any) -> Sequence[Row[Any]]:
                return (await db.execute(select(*columns))).all()

            o, e, f, m, t = ORDERS.c, ORDER_EVENTS.c, OFFERS.c, OUTBOX.c, TASKS.c
            server = f"SQLite {sqlite3.sqlite_version}"
            if engine.dialect.name == "postgresql":
                server = f"PostgreSQL {(await db.execute(text('SHOW server_version'))).scalar()}"
            return Stored(
                orders=await rows(o.id, o.customer_id, o.status, o.partner_id),
                events=await rows(e.id, e.order_id, e.from_status, e.to_status, e.at),
                offers=await rows(f.order_id, f.partner_id, f.state, f.offered_at, f.closed_at),
                outbox=await rows(m.id, m.chat_id, m.kind, m.payload, m.sent_at, m.given_up_at,
                                  m.last_error, m.message_id),
                tasks=await rows(t.order_id, t.kind, t.state, t.run_at, t.attempts),
                tracking=await rows(TRACKING_MESSAGES.c.chat_id, TRACKING_MESSAGES.c.message_id),
                server=server)
    finally:
        await engine.dispose()


def orders(stored: Stored, checkouts: Iterable[Checkout]) -> dict[str, Any]:
    """Placed, ended, waiting (and why), lost, duplicated, placed but never shown."""
    checkouts = list(checkouts)
    by_id = {order.id: order for order in stored.orders}
    shown = {order_id: c.customer for c in checkouts for order_id in c.order_ids}
    lost = sorted(i for i, customer in shown.items()
                  if i not in by_id or by_id[i].customer_id != customer)
    placed = Counter(order.customer_id for order in stored.orders)
    pressed = Counter(c.customer for c in checkouts)
    beyond = sum(max(0, n - pressed[customer]) for customer, n in placed.items())
    one_summary = Counter((t.chat_id, t.message_id) for t in stored.tracking)
    shared = sum(n - 1 for n in one_summary.values())
    waiting = {order.id: why_waiting(order, stored) for order in stored.orders
               if order.status not in FINAL}
    return {
        "orders_placed": len(stored.orders), "checkouts": len(checkouts),
        "orders_by_status": dict(sorted(Counter(o.status for o in stored.orders).items())),
        "orders_lost": len(lost), "orders_duplicated": max(beyond, shared),
        "orders_never_shown": sum(1 for i in by_id if i not in shown),
        "orders_waiting": len(waiting),
        "orders_stuck": sum(1 for _, fine in waiting.values() if not fine),
        "waiting_why": {str(i): why for i, (why, _) in sorted(waiting.items())},
    }


def why_waiting(order: Row[Any], stored: Stored) -> tuple[str, bool]:
    """Why an order is not over yet, and whether that reason will move it on."""
    now = datetime.now(UTC)
    due = sorted((t.run_at, t.kind, t.attempts) for t in stored.tasks
                 if t.order_id == order.id and t.state == "pending")
    if due:
        run_at, kind, attempts = due[0]
        return (f"{order.status}: its {kind} task is due in "
                f"{(run_at - now).total_seconds():.0f} s (attempt {attempts + 1})", True)
    offered = [f.partner_id for f in stored.offers if f.order_id == order.id
               and f.state == "open"]
    if offered:
        return f"{order.status}: offered to partner {offered[0]}", True
    if order.partner_id is not None:
        return f"{order.status}: waits for partner {order.partner_id} to press", True
    dead = [t.kind for t in stored.tasks if t.order_id == order.id and t.state == "dead"]
    what = f"its {dead[0]} task is dead-lettered" if dead else "no task, offer or partner"
    return f"{order.status}: {what}: nothing will move it", False


def transitions(stored: Stored) -> dict[str, Any]:
    """Moves recorded twice, and histories whose moves do not follow on from each other."""
    twice = Counter((e.order_id, e.to_status) for e in stored.events)
    broken = 0
    for history in stored.events_of().values():
        previous = None
        for event in history:
            broken += event.from_status != previous
            previous = event.to_status
    return {"transitions_twice": sum(n - 1 for n in twice.values()),
            "histories_broken": broken}


def partners(stored: Stored) -> dict[str, Any]:
    """Partners holding two active orders at the end, and at any moment of the run (from the
    accepted offers and the orders' final events)."""
    active = Counter(o.partner_id for o in stored.orders
                     if o.partner_id is not None and o.status not in FINAL)
    ended = {order_id: history[-1].at for order_id, history in stored.events_of().items()
             if history[-1].to_status in FINAL}
    spans: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for offer in stored.offers:
        if offer.state == "accepted" and offer.closed_at is not None:
            spans[offer.partner_id].append((offer.closed_at, ended.get(offer.order_id)))
    overlaps, never = 0, datetime.max.replace(tzinfo=UTC)
    for held in spans.values():
        busy_until = None  # the latest end of the orders taken so far (never: still active)
        for start, end in sorted(held, key=lambda span: span[0]):
            overlaps += busy_until is not None and start < busy_until
            busy_until = max(busy_until or start, end or never)
    return {"partners_two_active_now": sum(1 for n in active.values() if n > 1),
            "partners_two_active_ever": overlaps}


def updates(actions: Sequence[Action], transcript: Sequence[TranscriptEvent],
            answer_of: Callable[[CallbackPress], CallbackAnswer | None]) -> dict[str, Any]:
    """Presses never answered, and messages never replied to.

    A press is answered when the bot called answerCallbackQuery for it. A message is replied
    to when a bot message showing one of its step's markers came after it, each bot message
    answering one message at most: a repeat needs a reply of its own, though it may come after
    the person moved on (an update waiting out a killed instance's lease is answered late).
    """
    unanswered_presses = sum(1 for a in actions if a.press is not None
                             and answer_of(a.press) is None)
    said: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for event in transcript:
        if event.kind == "bot_message":
            said[event.chat_id].append((event.seq, event.text))
    steps: dict[int, list[list[Action]]] = defaultdict(list)
    for action in sorted(actions, key=lambda a: a.seq):
        mine = steps[action.user]
        if mine and mine[-1][0].step == action.step:
            mine[-1].append(action)
        else:
            mine.append([action])
    unanswered_texts = 0
    for user, mine in steps.items():
        used: set[int] = set()  # each bot message answers one text at most
        for step in mine:
            if step[0].kind != "text":
                continue
            for action in step:  # a repeat is answered by a reply after it, even a late one
                reply = next((seq for seq, text in said[user] if seq > action.seq
                              and seq not in used
                              and any(marker in text for marker in action.markers)), None)
                if reply is None:
                    unanswered_texts += 1
                else:
                    used.add(reply)
    texts_sent = sum(1 for a in actions if a.kind == "text")
    return {"updates_sent": len(actions), "texts_sent": texts_sent,
            "presses_sent": len(actions) - texts_sent,
            "updates_unanswered": unanswered_presses + unanswered_texts,
            "presses_unanswered": unanswered_presses, "texts_unanswered": unanswered_texts}
