"""What the pipeline benchmark checks and reads back after a run: every order delivered once,
each status and message written once; the latencies; the database server."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.messages import Kind
from domain.orders import OrderStatus
from storage.sql import ORDER_EVENTS, ORDERS, OUTBOX, PARTNERS


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
    # the tracking message is edited once when the order is confirmed and being prepared
    # (one step), and once when a partner takes it; out for delivery and delivered send it
    # anew instead of an edit
    expected = {Kind.ORDER_STATUS: 2 * n, Kind.OFFER: n, Kind.OUT_FOR_DELIVERY: n,
                Kind.DELIVERED: n}
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
