"""Reading what the pipeline's steps and presses decide on, a batch at a time (Core SQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import exists, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dispatch import PartnerPool
from domain.ids import OrderId, RestaurantId, UserId
from domain.options import Picked, label
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import LineView, OfferState, OfferView, OrderView
from domain.pipeline.presses import Assignment
from domain.restaurants import Restaurant
from storage import mapping, menu_mapping
from storage.pipeline.sql import OFFERS, PROGRESS, is_postgres, pairs_in
from storage.sql import MENU_ITEMS, ORDER_ITEMS, ORDERS, PARTNERS, RESTAURANTS

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
    stmt = select(*_ORDER_VIEW).select_from(_WITH_PROGRESS).where(_O.id.in_(sorted(order_ids)))
    found = {}
    for row in await session.execute(stmt):
        found[OrderId(row[0])] = OrderView(
            OrderId(row[0]), OrderStatus(row[1]), UserId(row[2]), RestaurantId(row[3]),
            UserId(row[4]) if row[4] is not None else None, row[5], row[6], row[7], row[8],
            row[9], row[10], row[11], bool(row[12]), bool(row[13]), row[14], row[15], row[16],
            bool(row[17]), row[18],
        )
    return found


async def restaurants(
    session: AsyncSession, restaurant_ids: Iterable[RestaurantId]
) -> dict[RestaurantId, Restaurant]:
    wanted = sorted(set(restaurant_ids))
    if not wanted:
        return {}
    stmt = select(RESTAURANTS).where(RESTAURANTS.c.id.in_(wanted))
    found = map(menu_mapping.restaurant_from_row, (await session.execute(stmt)).mappings())
    return {restaurant.id: restaurant for restaurant in found}


async def lines(
    session: AsyncSession, order_ids: Collection[OrderId]
) -> dict[OrderId, tuple[LineView, ...]]:
    """Each order's dishes, and whether each is still on the menu and available."""
    if not order_ids:
        return {}
    i, m = ORDER_ITEMS.c, MENU_ITEMS.c
    stmt = (
        select(i.order_id, i.name, i.quantity, m.id, m.available, i.options)
        .select_from(ORDER_ITEMS.outerjoin(MENU_ITEMS, m.id == i.menu_item_id))
        .where(i.order_id.in_(sorted(order_ids)))
        .order_by(i.order_id, i.position)
    )
    found: defaultdict[OrderId, list[LineView]] = defaultdict(list)
    for row in await session.execute(stmt):
        found[OrderId(row[0])].append(
            LineView(row[1], row[2], row[3] is not None and row[4], row[3],
                     label(Picked(*o) for o in row[5] or ())))
    return {order_id: tuple(views) for order_id, views in found.items()}


async def offers(
    session: AsyncSession, order_ids: Collection[OrderId]
) -> dict[OrderId, tuple[OfferView, ...]]:
    """Every offer made for each order, oldest first."""
    if not order_ids:
        return {}
    o = OFFERS.c
    stmt = (
        select(o.order_id, o.partner_id, o.state, o.offered_at, o.expires_at)
        .where(o.order_id.in_(sorted(order_ids)))
        .order_by(o.order_id, o.offered_at)
    )
    found: defaultdict[OrderId, list[OfferView]] = defaultdict(list)
    for row in await session.execute(stmt):
        found[OrderId(row[0])].append(
            OfferView(OrderId(row[0]), UserId(row[1]), OfferState(row[2]), row[3], row[4])
        )
    return {order_id: tuple(views) for order_id, views in found.items()}


async def offer_pairs(
    session: AsyncSession, pairs: Sequence[tuple[OrderId, UserId]]
) -> dict[tuple[OrderId, UserId], OfferView]:
    o = OFFERS.c
    stmt = select(o.order_id, o.partner_id, o.state, o.offered_at, o.expires_at).where(
        pairs_in(session, o.order_id, o.partner_id, pairs)
    )
    return {
        (OrderId(row[0]), UserId(row[1])): OfferView(
            OrderId(row[0]), UserId(row[1]), OfferState(row[2]), row[3], row[4]
        )
        for row in await session.execute(stmt)
    }


_PARTNER = (
    PARTNERS.c.id, PARTNERS.c.name, PARTNERS.c.status, PARTNERS.c.online,
    PARTNERS.c.active_order_id, PARTNERS.c.idle_since,
)


async def partners(session: AsyncSession, partner_ids: Collection[UserId]) -> dict[UserId, Partner]:
    if not partner_ids:
        return {}
    stmt = select(*_PARTNER).where(PARTNERS.c.id.in_(sorted(partner_ids)))
    rows = (await session.execute(stmt)).mappings()
    return {UserId(row["id"]): mapping.partner_from_row(row) for row in rows}


async def pool(session: AsyncSession, size: int) -> PartnerPool:
    """Up to `size` free partners, longest idle first: approved, online, with no active order
    and no open offer. On PostgreSQL they stay locked to this transaction, and partners locked
    by another worker are skipped, so two workers never offer the same partner.
    """
    p, o = PARTNERS.c, OFFERS.c
    has_offer = exists().where(o.partner_id == p.id, o.state == OfferState.OPEN.value)
    stmt = (
        select(*_PARTNER)
        .where(
            p.status == PartnerStatus.APPROVED.value, p.online == true(),
            p.active_order_id.is_(None), ~has_offer,
        )
        .order_by(p.idle_since.asc().nulls_first(), p.id)
        .limit(size)
    )
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True, of=PARTNERS)
    return PartnerPool(map(mapping.partner_from_row, (await session.execute(stmt)).mappings()))


async def assignments(
    session: AsyncSession, pairs: Sequence[tuple[OrderId, UserId]]
) -> dict[OrderId, Assignment]:
    """What each partner needs to know about the order they took."""
    if not pairs:
        return {}
    r = RESTAURANTS.c
    stmt = (
        select(
            _O.id, _O.partner_id, r.name, r.address, _O.address, _O.latitude, _O.longitude,
            _O.phone, _O.note, _O.total, _O.currency, _P.ready_at,
        )
        .select_from(_WITH_PROGRESS.join(RESTAURANTS, r.id == _O.restaurant_id))
        .where(_O.id.in_(sorted(order_id for order_id, _ in pairs)))
    )
    return {
        OrderId(row[0]): Assignment(
            OrderId(row[0]), UserId(row[1]), row[2], row[3], row[4], row[5], row[6], row[7],
            row[8], row[9], row[10], row[11],
        )
        for row in await session.execute(stmt)
    }

