"""Reading what the pipeline's steps and presses decide on, a batch at a time (Core SQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Select, bindparam, exists, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dispatch import PartnerPool
from domain.ids import OrderId, RestaurantId, UserId
from domain.options import Picked, label
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import LineView, OfferState, OfferView, OrderView
from domain.pipeline.presses import Assignment
from domain.restaurants import Restaurant
from storage import mapping
from storage.pipeline.sql import OFFERS, PROGRESS, Prepared, pair_values, pairs_in
from storage.repositories import SqlRestaurantRepository
from storage.sql import MENU_ITEMS, ORDER_ITEMS, ORDERS, PARTNERS, RESTAURANTS, in_ids

_O, _P = ORDERS.c, PROGRESS.c
_ORDER_VIEW = (
    _O.id, _O.status, _O.customer_id, _O.restaurant_id, _O.partner_id, _O.total, _O.currency,
    _O.address, _O.latitude, _O.longitude,
    _P.ready_at, _P.searching_since, _P.told_searching, _P.admins_alerted,
    _O.delivery_fee, _O.discount, _O.tip, _O.paid_online, _O.scheduled_for,
)
_WITH_PROGRESS = ORDERS.outerjoin(PROGRESS, _P.order_id == _O.id)


async def orders(session: AsyncSession, order_ids: Collection[int]) -> dict[OrderId, OrderView]:
    """The orders with their pipeline progress, by id; missing ones are left out."""
    if not order_ids:
        return {}
    found = {}
    for row in await _ORDERS.rows(session, {"ids": sorted(order_ids)}):
        found[OrderId(row[0])] = OrderView(
            OrderId(row[0]), OrderStatus(row[1]), UserId(row[2]), RestaurantId(row[3]),
            UserId(row[4]) if row[4] is not None else None, row[5], row[6], row[7], row[8],
            row[9], row[10], row[11], bool(row[12]), bool(row[13]), row[14], row[15], row[16],
            bool(row[17]), row[18],
        )
    return found


_ORDERS = Prepared(lambda _: select(*_ORDER_VIEW).select_from(_WITH_PROGRESS)
                   .where(in_ids(_O.id)))


async def restaurants(
    session: AsyncSession, restaurant_ids: Iterable[RestaurantId]
) -> dict[RestaurantId, Restaurant]:
    wanted = set(restaurant_ids)
    return await SqlRestaurantRepository(session).get_many(wanted) if wanted else {}


async def lines(
    session: AsyncSession, order_ids: Collection[OrderId]
) -> dict[OrderId, tuple[LineView, ...]]:
    """Each order's dishes, and whether each is still on the menu and available."""
    if not order_ids:
        return {}
    found: defaultdict[OrderId, list[LineView]] = defaultdict(list)
    for row in await _LINES.rows(session, {"ids": sorted(order_ids)}):
        found[OrderId(row[0])].append(
            LineView(row[1], row[2], row[3] is not None and row[4], row[3],
                     label(Picked(*o) for o in row[5] or ())))
    return {order_id: tuple(views) for order_id, views in found.items()}


_I, _M = ORDER_ITEMS.c, MENU_ITEMS.c
_LINES = Prepared(
    select(_I.order_id, _I.name, _I.quantity, _M.id, _M.available, _I.options)
    .select_from(ORDER_ITEMS.outerjoin(MENU_ITEMS, _M.id == _I.menu_item_id))
    .where(in_ids(_I.order_id))
    .order_by(_I.order_id, _I.position)
)


async def offers(
    session: AsyncSession, order_ids: Collection[OrderId]
) -> dict[OrderId, tuple[OfferView, ...]]:
    """Every offer made for each order, oldest first."""
    if not order_ids:
        return {}
    found: defaultdict[OrderId, list[OfferView]] = defaultdict(list)
    for row in await _OFFERS.rows(session, {"ids": sorted(order_ids)}):
        found[OrderId(row[0])].append(
            OfferView(OrderId(row[0]), UserId(row[1]), OfferState(row[2]), row[3], row[4])
        )
    return {order_id: tuple(views) for order_id, views in found.items()}


_F = OFFERS.c
_OFFER = (_F.order_id, _F.partner_id, _F.state, _F.offered_at, _F.expires_at)
_OFFERS = Prepared(
    select(*_OFFER).where(in_ids(_F.order_id)).order_by(_F.order_id, _F.offered_at))


async def offer_pairs(
    session: AsyncSession, pairs: Sequence[tuple[OrderId, UserId]]
) -> dict[tuple[OrderId, UserId], OfferView]:
    return {
        (OrderId(row[0]), UserId(row[1])): OfferView(
            OrderId(row[0]), UserId(row[1]), OfferState(row[2]), row[3], row[4]
        )
        for row in await _OFFER_PAIRS.rows(session, pair_values(session, pairs))
    }


_OFFER_PAIRS = Prepared(lambda dialect: (
    select(*_OFFER).where(pairs_in(dialect, _F.order_id, _F.partner_id))
))


_PARTNER = (
    PARTNERS.c.id, PARTNERS.c.name, PARTNERS.c.status, PARTNERS.c.online,
    PARTNERS.c.active_order_id, PARTNERS.c.idle_since,
)


async def partners(session: AsyncSession, partner_ids: Collection[UserId]) -> dict[UserId, Partner]:
    if not partner_ids:
        return {}
    rows = await _PARTNERS.mappings(session, {"ids": sorted(partner_ids)})
    return {UserId(row["id"]): mapping.partner_from_row(row) for row in rows}


_PARTNERS = Prepared(select(*_PARTNER).where(in_ids(PARTNERS.c.id)))


async def pool(session: AsyncSession, size: int) -> PartnerPool:
    """Up to `size` free partners, longest idle first: approved, online, with no active order
    and no open offer. On PostgreSQL they stay locked to this transaction, and partners locked
    by another worker are skipped, so two workers never offer the same partner.
    """
    rows = await _POOL.mappings(session, {"size": size})
    return PartnerPool(map(mapping.partner_from_row, rows))


def _pool(dialect: str) -> Select[Any]:
    p, o = PARTNERS.c, OFFERS.c
    has_offer = exists().where(o.partner_id == p.id, o.state == OfferState.OPEN.value)
    stmt = (
        select(*_PARTNER)
        .where(
            p.status == PartnerStatus.APPROVED.value, p.online == true(),
            p.active_order_id.is_(None), ~has_offer,
        )
        .order_by(p.idle_since.asc().nulls_first(), p.id)
        .limit(bindparam("size"))
    )
    if dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=PARTNERS)
    return stmt


_POOL = Prepared(_pool)


async def assignments(
    session: AsyncSession, pairs: Sequence[tuple[OrderId, UserId]]
) -> dict[OrderId, Assignment]:
    """What each partner needs to know about the order they took."""
    if not pairs:
        return {}
    found = await _ASSIGNMENTS.rows(session, {"ids": sorted(order_id for order_id, _ in pairs)})
    return {
        OrderId(row[0]): Assignment(
            OrderId(row[0]), UserId(row[1]), row[2], row[3], row[4], row[5], row[6], row[7],
            row[8], row[9], row[10], row[11],
        )
        for row in found
    }


_R = RESTAURANTS.c
_ASSIGNMENTS = Prepared(
    select(
        _O.id, _O.partner_id, _R.name, _R.address, _O.address, _O.latitude, _O.longitude,
        _O.phone, _O.note, _O.total, _O.currency, _P.ready_at,
    )
    .select_from(_WITH_PROGRESS.join(RESTAURANTS, _R.id == _O.restaurant_id))
    .where(in_ids(_O.id))
)
