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
from storage.pipeline.sql import NOW, OFFERS, Prepared, pair_values, pairs_in
from storage.sql import ORDERS, PARTNERS, TASKS, in_ids

Pair = tuple[OrderId, UserId]


async def take(session: AsyncSession, pairs: Sequence[Pair], now: datetime) -> set[Pair]:
    """The atomic core of accepting: which of `pairs` won their order (see the module doc).

    The first UPDATE's RETURNING names the offers this transaction accepted; nobody else can
    give those orders to those partners, so reading the two rows back after the other two
    conditional UPDATEs (run as executemany) shows which of them matched.
    """
    if not pairs:
        return set()
    accepted = await _pairs(session, _ACCEPT, {**pair_values(session, pairs), "now": now})
    if not accepted:
        return set()
    await _GIVE.run(session, [{"order": x, "partner": y} for x, y in accepted])
    given = accepted & await _pairs(session, _PARTNER_OF,
                                    {"ids": sorted(x for x, _ in accepted)})
    await _HOLD.run(session, [{"order": x, "partner": y} for x, y in given])
    won = given & {(x, y) for y, x in await _pairs(
        session, _ACTIVE_ORDER_OF, {"ids": sorted(y for _, y in given)})}
    if given - won:  # put back what matched only partly
        await _UNGIVE.count(session, pair_values(session, sorted(given - won)))
    if accepted - won:
        await _REOPEN.count(session, pair_values(session, sorted(accepted - won)))
    return won


_O, _R, _P = OFFERS.c, ORDERS.c, PARTNERS.c
_ACCEPT = Prepared(lambda dialect: (
    update(OFFERS)
    .where(pairs_in(dialect, _O.order_id, _O.partner_id), _O.state == OfferState.OPEN.value,
           _O.expires_at > NOW)
    .values(state=OfferState.ACCEPTED.value, closed_at=NOW)
    .returning(_O.order_id, _O.partner_id)
))
_PARTNER_OF = Prepared(select(_R.id, _R.partner_id).where(in_ids(_R.id)))
_ACTIVE_ORDER_OF = Prepared(select(_P.id, _P.active_order_id).where(in_ids(_P.id)))
_UNGIVE = Prepared(lambda dialect: (
    update(ORDERS).where(pairs_in(dialect, _R.id, _R.partner_id)).values(partner_id=None)
))
_REOPEN = Prepared(lambda dialect: (
    update(OFFERS)
    .where(pairs_in(dialect, _O.order_id, _O.partner_id), _O.state == OfferState.ACCEPTED.value)
    .values(state=OfferState.OPEN.value, closed_at=None)
))


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


async def _pairs(
    session: AsyncSession, statement: Prepared[Any], values: dict[str, Any]
) -> set[Pair]:
    return {(row[0], row[1]) for row in await statement.rows(session, values)}


async def finish_dispatch(
    session: AsyncSession, order_ids: Sequence[OrderId], now: datetime
) -> None:
    """The taken orders' dispatch tasks are done; one a worker holds now finishes there."""
    if order_ids:
        await _FINISH_DISPATCH.count(session, {"ids": sorted(order_ids), "now": now})


_T = TASKS.c
_FINISH_DISPATCH = Prepared(
    update(TASKS)
    .where(_T.id.in_(
        select(_T.id)
        .where(in_ids(_T.order_id), _T.kind == TaskKind.DISPATCH.value, _T.state == "pending")
        .with_for_update(skip_locked=True)
    ))
    .values(state="done", finished_at=NOW, locked_until=None, locked_by=None)
)


async def wake_dispatch(session: AsyncSession, now: datetime, limit: int) -> int:
    """Dispatch tasks waiting for a free partner (no open offer) become due now."""
    return await _WAKE_DISPATCH.count(session, {"now": now, "limit": limit})


_OPEN_OFFER = select(_O.order_id).where(_O.order_id == _T.order_id,
                                        _O.state == OfferState.OPEN.value).exists()
_WAKE_DISPATCH = Prepared(update(TASKS).where(_T.id.in_(
    select(_T.id)
    .where(_T.state == "pending", _T.kind == TaskKind.DISPATCH.value, _T.run_at > NOW,
           ~_OPEN_OFFER)
    .order_by(_T.run_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)).values(run_at=NOW))
