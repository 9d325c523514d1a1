"""Accepting an offer atomically, and waking dispatch tasks (DESIGN.md §5).

Accepting is three conditional UPDATEs in one transaction: the partner's offer open →
accepted (and not past its time), checked through RETURNING; the order's partner NULL → them
(while CONFIRMED or PREPARING); the partner's active order NULL → this one (while online and
approved). Whatever matched only partly is put back before commit. On PostgreSQL under READ
COMMITTED each UPDATE re-checks its conditions on the newest row version, so of any number of
racing presses, instances and retries exactly one partner wins an order, and a partner never
holds two: `partners.active_order_id` is UNIQUE, and the partial unique indexes on `offers`
allow one open offer per order and per partner, and one accepted offer per order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ids import OrderId, UserId
from domain.orders import ASSIGNABLE
from domain.partners import PartnerStatus
from domain.pipeline.model import OfferState
from domain.tasks import TaskKind
from storage.pipeline.bulk import Bulk
from storage.pipeline.sql import OFFERS, pairs_in
from storage.sql import ORDERS, PARTNERS, TASKS, execute_count

Pair = tuple[OrderId, UserId]


async def take(session: AsyncSession, pairs: Sequence[Pair], now: datetime) -> set[Pair]:
    """The atomic core of accepting: which of `pairs` won their order (see the module doc).

    The first UPDATE's RETURNING names the offers this transaction accepted; nobody else can
    give those orders to those partners, so reading the two rows back after the other two
    conditional UPDATEs (run as executemany) shows which of them matched.
    """
    if not pairs:
        return set()
    o, r, p = OFFERS.c, ORDERS.c, PARTNERS.c
    accepted = await _pairs(session, (
        update(OFFERS)
        .where(pairs_in(session, o.order_id, o.partner_id, pairs),
               o.state == OfferState.OPEN.value, o.expires_at > now)
        .values(state=OfferState.ACCEPTED.value, closed_at=now)
        .returning(o.order_id, o.partner_id)
    ))
    if not accepted:
        return set()
    await _GIVE.run(session, [{"order": x, "partner": y} for x, y in accepted])
    given = accepted & await _pairs(session, select(r.id, r.partner_id).where(
        r.id.in_(sorted(x for x, _ in accepted))
    ))
    await _HOLD.run(session, [{"order": x, "partner": y} for x, y in given])
    won = given & {(x, y) for y, x in await _pairs(session, select(p.id, p.active_order_id).where(
        p.id.in_(sorted(y for _, y in given))
    ))}
    if given - won:  # put back what matched only partly
        await session.execute(
            update(ORDERS)
            .where(pairs_in(session, r.id, r.partner_id, sorted(given - won)))
            .values(partner_id=None)
        )
    if accepted - won:
        await session.execute(
            update(OFFERS)
            .where(pairs_in(session, o.order_id, o.partner_id, sorted(accepted - won)),
                   o.state == OfferState.ACCEPTED.value)
            .values(state=OfferState.OPEN.value, closed_at=None)
        )
    return won


_GIVE = Bulk(  # the order's partner NULL -> them, while CONFIRMED or PREPARING
    update(ORDERS)
    .where(ORDERS.c.id == bindparam("order"), ORDERS.c.partner_id.is_(None),
           or_(*(ORDERS.c.status == s.value for s in sorted(ASSIGNABLE))))
    .values(partner_id=bindparam("partner"))
)
_HOLD = Bulk(  # the partner's active order NULL -> this one, while online and approved
    update(PARTNERS)
    .where(PARTNERS.c.id == bindparam("partner"), PARTNERS.c.active_order_id.is_(None),
           PARTNERS.c.online == true(), PARTNERS.c.status == PartnerStatus.APPROVED.value)
    .values(active_order_id=bindparam("order"))
)


async def _pairs(session: AsyncSession, statement: Any) -> set[Pair]:
    return {(row[0], row[1]) for row in await session.execute(statement)}


async def finish_dispatch(
    session: AsyncSession, order_ids: Sequence[OrderId], now: datetime
) -> None:
    """The taken orders' dispatch tasks are done; one a worker holds now finishes there."""
    if not order_ids:
        return
    t = TASKS.c
    free = (
        select(t.id)
        .where(t.order_id.in_(sorted(order_ids)), t.kind == TaskKind.DISPATCH.value,
               t.state == "pending")
        .with_for_update(skip_locked=True)
    )
    await session.execute(
        update(TASKS).where(t.id.in_(free))
        .values(state="done", finished_at=now, locked_until=None, locked_by=None)
    )


async def wake_dispatch(session: AsyncSession, now: datetime, limit: int) -> int:
    """Dispatch tasks waiting for a free partner (no open offer) become due now."""
    t, o = TASKS.c, OFFERS.c
    open_offer = select(o.order_id).where(o.order_id == t.order_id,
                                          o.state == OfferState.OPEN.value).exists()
    waiting = (
        select(t.id)
        .where(t.state == "pending", t.kind == TaskKind.DISPATCH.value, t.run_at > now,
               ~open_offer)
        .order_by(t.run_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return await execute_count(session, update(TASKS).where(t.id.in_(waiting)).values(run_at=now))
