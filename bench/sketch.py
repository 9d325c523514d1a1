"""DESIGN.md §9's bare sketch of the pipeline's hot path: the reference the benchmark
measures beside itself in the same run, so their ratio does not depend on the machine."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import NamedTuple

from pipeline_world import AcceleratedClock, place  # the benchmark's own helpers
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ids import RestaurantId
from domain.orders import OrderItem
from domain.pipeline.ports import Lease, Reschedule
from storage.pipeline.tasks import SqlTaskStore
from storage.sql import ORDER_EVENTS, ORDERS, OUTBOX

_SKETCH_STATES = ("CREATED", "CONFIRMED", "PREPARING", "OUT_FOR_DELIVERY", "DELIVERED")


class Took(NamedTuple):
    """How long the sketch's orders took: on the wall clock, and in the process's CPU."""

    seconds: float
    cpu_s: float


async def sketch(
    sessions: async_sessionmaker[AsyncSession], clock: AcceleratedClock, n: int, batch: int,
    kitchens: list[tuple[RestaurantId, list[OrderItem]]], customers: int,
) -> Took:
    """DESIGN.md §9's bare sketch of the hot path on the same database, for a ratio that does
    not depend on the machine: N more orders through all five states, claiming `batch` tasks
    per transaction, each move an order update, an event and an outbox row. Placing them is
    not timed.
    """
    await place(sessions, clock, n, kitchens, customers)
    started, cpu = time.perf_counter(), time.process_time()
    moved = 0
    while moved < n:
        now = clock.now()
        lease = Lease("sketch", now, timedelta(hours=1), batch)
        async with sessions() as session, session.begin():
            store = SqlTaskStore(session)
            tasks = await store.claim_due(lease)
            ids = [t.order_id for t in tasks]
            rows = (await session.execute(
                select(ORDERS.c.id, ORDERS.c.status, ORDERS.c.customer_id)
                .where(ORDERS.c.id.in_(ids))
            )).all()
            by_next: dict[str, list[int]] = {}
            for order_id, status, _ in rows:
                by_next.setdefault(_SKETCH_STATES[_SKETCH_STATES.index(status) + 1], []).append(
                    order_id
                )
            for status, order_ids in by_next.items():
                await session.execute(
                    ORDERS.update().where(ORDERS.c.id.in_(order_ids))
                    .values(status=status, updated_at=now)
                )
            nexts = {o: s for s, order_ids in by_next.items() for o in order_ids}
            await session.execute(insert(ORDER_EVENTS), [
                {"order_id": o, "from_status": s, "to_status": nexts[o], "at": now,
                 "actor": "system", "reason": ""}
                for o, s, _ in rows
            ])
            await session.execute(insert(OUTBOX), [
                {"chat_id": c, "kind": "order_status", "payload": {"order_id": o},
                 "created_at": now, "next_attempt_at": now, "attempts": 0}
                for o, _, c in rows
            ])
            finished = [t.id for t in tasks if nexts.get(t.order_id) == "DELIVERED"]
            if finished:
                await store.complete(finished, now)
            await store.reschedule([
                Reschedule(t.id, t.kind, now, {}) for t in tasks if t.id not in set(finished)
            ])
            moved += len(finished)
    return Took(time.perf_counter() - started, time.process_time() - cpu)
