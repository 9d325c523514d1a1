"""Writing the pipeline's `Effects`, set-based, inside the caller's transaction (Core SQL).

Each order's effects are written all or nothing, by their guards:
- the open offer that ran out must still be open (a press may have closed it meanwhile);
- the order must still be in the status its moves start from, with the partner it had then
  (conditional UPDATE ... RETURNING, which PostgreSQL re-checks on the newest row version
  under READ COMMITTED);
- a new offer must not break the one-open-offer-per-order and per-partner indexes.
An order whose guard fails gets none of its events, messages or bookkeeping; the caller runs
its step again on fresh data. The first guard alone changes nothing anyone relies on; an offer
made for an order whose move then fails (a confirmed order offered in the same step) is taken
back before commit, so a later guard never strands an earlier one's write.
An order that ends (delivered, cancelled, failed) is added to /stats' totals (storage/stats.py)
by the last write, so those rows are held only until commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalogue import dish_changed
from domain.ids import MenuItemId, OrderId, RestaurantId, UserId
from domain.orders import OrderStatus
from domain.pipeline.model import Effects, OfferState
from domain.stats import OrderFact, totals_of
from storage.pipeline.bulk import Bulk
from storage.pipeline.sql import (
    NOW,
    OFFERS,
    PROGRESS,
    Prepared,
    Values,
    insert_ignoring,
    pair_values,
    pairs_in,
    upsert_many,
    write_history,
)
from storage.sql import MENU_ITEMS, ORDER_ITEMS, ORDERS, PARTNERS, PAYMENTS, REFUNDS, in_ids
from storage.stats import add_finished
from storage.types import UTCDateTime


async def apply_effects(
    session: AsyncSession, effects: Sequence[Effects], now: datetime,
    stale: set[str] | None = None,
) -> set[OrderId]:
    """Writes the effects (at most one per order); returns the orders whose guards failed.
    The catalogue cache entries its writes change (a cancelled order's portions back in
    stock) are added to `stale`, for the caller to announce once committed."""
    if len({e.order_id for e in effects}) != len(effects):
        raise ValueError("one Effects per order and batch")
    failed = await _expire_offers(session, [e for e in effects if e.expire_offer], now)
    failed |= await _offer(session, [e for e in effects if e.order_id not in failed])
    finished: list[OrderFact] = []
    unmoved = await _move(session, [e for e in effects if e.order_id not in failed], now,
                          finished)
    await _take_back(session, [e for e in effects if e.order_id in unmoved and e.new_offer])
    failed |= unmoved
    done = [e for e in effects if e.order_id not in failed]
    await _end_offers(session, [e.order_id for e in done if e.end_offers], now)
    await _release(session, [(e.release_partner, e.order_id) for e in done], now)
    await _refunds(session, [(e.order_id, e.refund) for e in done if e.refund], now)
    restocked = await _restock(session, [e.order_id for e in done if e.status in _ENDED_UNSERVED])
    if stale is not None:
        stale.update(name for dish in restocked for name in dish_changed(*dish))
    await upsert_many(session, PROGRESS, [_progress(e) for e in done if e.progress], key="order_id")
    await write_history(
        session,
        [event for e in done for event in e.moves],
        [note for e in done for note in e.notes],
        [task for e in done for task in e.tasks],
        now,
    )
    await add_finished(session, totals_of(f for f in finished if f.order_id not in failed))
    return failed


async def _expire_offers(
    session: AsyncSession, effects: Sequence[Effects], now: datetime
) -> set[OrderId]:
    pairs = [(e.order_id, e.expire_offer) for e in effects if e.expire_offer is not None]
    if not pairs:
        return set()
    rows = await _EXPIRE.rows(session, {**pair_values(session, pairs), "now": now})
    expired = {row[0] for row in rows}
    return {order_id for order_id, _ in pairs if order_id not in expired}


_O = OFFERS.c
_EXPIRE = Prepared(lambda dialect: (
    update(OFFERS)
    .where(pairs_in(dialect, _O.order_id, _O.partner_id), _O.state == OfferState.OPEN.value)
    .values(state=OfferState.EXPIRED.value, closed_at=NOW)
    .returning(_O.order_id)
))


async def _move(
    session: AsyncSession, effects: Sequence[Effects], now: datetime, finished: list[OrderFact]
) -> set[OrderId]:
    """Moves each order whose guard holds; adds the facts of those that end to `finished`."""
    groups: defaultdict[tuple[OrderStatus, OrderStatus, bool], list[Effects]] = defaultdict(list)
    for e in effects:
        if e.expect is not None and e.status is not None:
            groups[(e.expect, e.status, e.expect_partner is None)].append(e)
    failed: set[OrderId] = set()
    for (expect, final, unassigned), group in groups.items():
        order_ids = [e.order_id for e in group]
        values: dict[str, Any] = {"now": now, "expect": expect.value, "final": final.value}
        if unassigned:
            values["ids"] = order_ids
        else:
            values |= pair_values(session, [(e.order_id, e.expect_partner) for e in group
                                            if e.expect_partner])
        rows = await _MOVES[(unassigned, final.is_terminal)].rows(session, values)
        moved = {row[0] for row in rows}
        failed.update(order_id for order_id in order_ids if order_id not in moved)
        if final.is_terminal:
            ended = {e.order_id: e.moves[-1].at for e in group}
            finished += [_fact(row, final, ended[row[0]]) for row in rows]
    return failed


_FACTS = (ORDERS.c.total, ORDERS.c.created_at, ORDERS.c.delivery_fee, ORDERS.c.discount,
          ORDERS.c.tip, ORDERS.c.paid_online, ORDERS.c.expected_at)


def _moving(unassigned: bool, terminal: bool) -> Prepared[Any]:
    """Orders `expect` -> `final`: those with no partner (`ids`) or with the partner each
    had (`pairs`); an order that ends returns what the stats keep of it."""
    r = ORDERS.c

    def build(dialect: str) -> Any:
        same_partner = (in_ids(r.id) & r.partner_id.is_(None) if unassigned
                        else pairs_in(dialect, r.id, r.partner_id))
        return (
            update(ORDERS)
            .where(same_partner, r.status == bindparam("expect"))
            .values(status=bindparam("final"), updated_at=NOW)
            .returning(r.id, *(_FACTS if terminal else ()))
        )

    return Prepared(build)


_MOVES = {(unassigned, terminal): _moving(unassigned, terminal)
          for unassigned in (False, True) for terminal in (False, True)}


def _fact(row: Any, status: OrderStatus, at: datetime) -> OrderFact:
    """What the stats keep of an order that ended in `status` at `at`."""
    order_id, total, placed, fee, discount, tip, online, expected = row
    return OrderFact(OrderId(order_id), status, total, placed,
                     at if status == OrderStatus.DELIVERED else None, fee, discount, tip,
                     bool(online), expected)


async def _offer(session: AsyncSession, effects: Sequence[Effects]) -> set[OrderId]:
    offers = [e.new_offer for e in effects if e.new_offer is not None]
    if not offers:
        return set()
    rows = [
        {
            "order_id": offer.order_id, "partner_id": offer.partner_id,
            "state": offer.state.value, "offered_at": offer.offered_at,
            "expires_at": offer.expires_at,
        }
        for offer in offers
    ]
    made = {row[0] for row in await _NEW_OFFERS.returning(session, rows)}
    return {offer.order_id for offer in offers if offer.order_id not in made}


_NEW_OFFERS = Bulk(  # an offer that breaks a one-open-offer index is not made
    lambda dialect: insert_ignoring(dialect, OFFERS).returning(OFFERS.c.order_id),
    ["order_id", "partner_id", "state", "offered_at", "expires_at"],
)


async def _take_back(session: AsyncSession, effects: Sequence[Effects]) -> None:
    """The offers just made for orders that then did not move are as if never made."""
    pairs = [(e.new_offer.order_id, e.new_offer.partner_id) for e in effects if e.new_offer]
    if pairs:
        await _TAKE_BACK.count(session, pair_values(session, pairs))


_TAKE_BACK = Prepared(lambda dialect: delete(OFFERS).where(
    pairs_in(dialect, _O.order_id, _O.partner_id), _O.state == OfferState.OPEN.value))


async def _end_offers(session: AsyncSession, order_ids: Sequence[OrderId], now: datetime) -> None:
    if order_ids:
        await _END_OFFERS.count(session, {"ids": order_ids, "now": now})


_END_OFFERS = Prepared(lambda _: (
    update(OFFERS)
    .where(in_ids(_O.order_id), _O.state == OfferState.OPEN.value)
    .values(state=OfferState.WITHDRAWN.value, closed_at=NOW)
))


async def _release(
    session: AsyncSession, pairs: Sequence[tuple[UserId | None, OrderId]], now: datetime
) -> None:
    """Frees each partner from that order (only that one), idle from now."""
    held = [(partner_id, order_id) for partner_id, order_id in pairs if partner_id is not None]
    if held:
        await _RELEASE.count(session, {**pair_values(session, held), "now": now})


_RELEASE = Prepared(lambda dialect: (
    update(PARTNERS)
    .where(pairs_in(dialect, PARTNERS.c.id, PARTNERS.c.active_order_id))
    .values(active_order_id=None, idle_since=NOW)
))


_ENDED_UNSERVED = frozenset({OrderStatus.CANCELLED, OrderStatus.FAILED})


async def _restock(
    session: AsyncSession, order_ids: Sequence[OrderId]
) -> list[tuple[MenuItemId, RestaurantId]]:
    """The portions the orders took from the dishes' stock go back to it (rare: a cancel);
    returns the dishes given back to. One statement an order: UPDATE ... FROM applies one
    joined row per dish, so two orders of one dish in a statement would give back only one's."""
    m, i = MENU_ITEMS.c, ORDER_ITEMS.c
    dishes: list[tuple[MenuItemId, RestaurantId]] = []
    for order_id in order_ids:
        given = await session.execute(
            update(MENU_ITEMS)
            .where(m.id == i.menu_item_id, i.order_id == order_id, i.from_stock.is_(True),
                   m.stock.is_not(None))
            .values(stock=m.stock + i.quantity)
            .returning(m.id, m.restaurant_id))
        dishes += [(MenuItemId(row[0]), RestaurantId(row[1])) for row in given]
    return dishes


async def _refunds(
    session: AsyncSession, due: Sequence[tuple[OrderId, str]], now: datetime
) -> None:
    """A refund due of all that was paid online for each order (rare: one statement each)."""
    p, r = PAYMENTS.c, REFUNDS.c
    for order_id, reason in due:
        paid = select(p.telegram_charge_id, p.order_id, p.customer_id, p.total, p.currency,
                      literal(reason[:300]), literal(now, UTCDateTime()), literal(""),
                      ).where(p.order_id == order_id)
        await session.execute(insert(REFUNDS).from_select(
            [r.telegram_charge_id, r.order_id, r.customer_id, r.amount, r.currency, r.reason,
             r.created_at, r.note], paid))


def _progress(effects: Effects) -> Values:
    row: Values = {"order_id": effects.order_id}
    progress = effects.progress
    if progress is not None:
        for name in ("ready_at", "searching_since", "told_searching", "admins_alerted"):
            value = getattr(progress, name)
            if value is not None:
                row[name] = value
    return row
