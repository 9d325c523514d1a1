"""Implements domain.retention.RetentionStore: one batched statement per kind of row.

Each batch picks its rows in a subquery (SKIP LOCKED on PostgreSQL: two instances sweeping at
once take different rows, neither waits) and deletes or scrubs them in its own transaction.
Every pick has an index made for it (migration 0024): a sweep reads only what it deletes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Delete, Select, Update, delete, or_, select, true, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.orders import OrderStatus
from domain.retention import RetentionStore, Swept
from storage.pipeline.sql import OFFERS
from storage.rows.orders import HAS_CONTACTS
from storage.sql import CHECKOUTS, ORDERS, OUTBOX, RIDER_SPOTS, TASKS, execute_count

_FINISHED = sorted(status.value for status in OrderStatus if status.is_terminal)


def _statement(kind: Swept, before: datetime, limit: int) -> Delete | Update:
    """The statement that sweeps one batch of `kind`."""
    match kind:
        case Swept.MESSAGES:
            o = OUTBOX.c
            picked = select(o.id).where(or_(o.sent_at < before, o.given_up_at < before))
            return delete(OUTBOX).where(o.id.in_(_batch(picked, limit)))
        case Swept.TASKS:
            t = TASKS.c
            picked = select(t.id).where(t.finished_at < before, t.state == "done")
            return delete(TASKS).where(t.id.in_(_batch(picked, limit)))
        case Swept.OFFERS:
            f = OFFERS.c
            picked = select(f.order_id, f.partner_id).where(f.closed_at < before,
                                                            f.state != "open")
            return delete(OFFERS).where(
                tuple_(f.order_id, f.partner_id).in_(_batch(picked, limit)))
        case Swept.CHECKOUTS:
            c = CHECKOUTS.c
            picked = select(c.customer_id).where(c.updated_at < before)
            return delete(CHECKOUTS).where(c.customer_id.in_(_batch(picked, limit)))
        case Swept.CONTACTS:
            r = ORDERS.c
            picked = select(r.id).where(r.updated_at < before, r.status.in_(_FINISHED),
                                        HAS_CONTACTS)
            return (update(ORDERS).where(r.id.in_(_batch(picked, limit)))
                    .values(phone=None, latitude=None, longitude=None))
        case Swept.RIDER_SPOTS:
            s = RIDER_SPOTS.c
            picked = select(s.order_id).where(s.stopped == true(), s.moved_at < before)
            return delete(RIDER_SPOTS).where(s.order_id.in_(_batch(picked, limit)))


def _batch(picked: Select[Any], limit: int) -> Select[Any]:
    return picked.limit(limit).with_for_update(skip_locked=True)


class SqlRetention:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def sweep(self, kind: Swept, before: datetime, limit: int) -> int:
        async with self._sessions() as session, session.begin():
            return await execute_count(session, _statement(kind, before, limit))


def _implements(retention: SqlRetention) -> RetentionStore:
    return retention  # mypy checks the class against the port
