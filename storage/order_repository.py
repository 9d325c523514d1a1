"""SQL repository for orders, their items and their event history (DESIGN.md §2)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, insert, null, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DuplicateOrder
from domain.ids import OrderId, RestaurantId, UserId
from domain.orders import Order, OrderEvent, OrderStatus
from domain.views import OrderKey, OrderView, TrackingMessage
from storage import mapping
from storage.pipeline.bulk import Bulk
from storage.pipeline.sql import Prepared, add_events
from storage.sql import (
    CUSTOMERS,
    ORDER_EVENTS,
    ORDER_ITEMS,
    ORDER_RATINGS,
    ORDERS,
    PARTNERS,
    RESTAURANTS,
    RIDER_SPOTS,
    TRACKING_MESSAGES,
    by_id,
    in_ids,
)


class SqlOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, order: Order) -> None:
        """Stores a new order with its items and pending events, and binds its id.

        Raises DuplicateOrder when a concurrent writer stored the same idempotency key first;
        the transaction is spoilt then, so the caller reads the winner in a new one.
        """
        await self.add_many([order])

    async def add_many(self, orders: Sequence[Order]) -> None:
        """Stores new orders with their items and pending events, set-based, and binds their
        ids. Raises DuplicateOrder as `add` does (the whole transaction is spoilt then)."""
        if not orders:
            return
        try:
            # one multi-row INSERT: the ids come back in the rows' order on both databases
            rows = await _NEW_ORDERS.returning(
                self._session, [mapping.order_values(o) for o in orders])
        except IntegrityError as exc:
            keys = [o.idempotency_key for o in orders if o.idempotency_key is not None]
            if keys and "idempotency_key" in str(exc.orig):
                raise DuplicateOrder(keys[0]) from exc
            raise
        for order, new_id in zip(orders, sorted(row[0] for row in rows), strict=True):
            order.bind_id(OrderId(new_id))
        await _NEW_ITEMS.run(self._session, [
            row for o in orders for row in mapping.order_item_values(o.id, o.items)])
        await add_events(self._session, [event for o in orders for event in o.new_events])
        for order in orders:
            order.new_events.clear()

    async def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these idempotency keys an order was placed with already."""
        return {row[0] for row in await _KNOWN_KEYS.rows(self._session, {"keys": sorted(keys)})}

    async def get(self, order_id: OrderId) -> Order | None:
        found = await self._load(select(ORDERS).where(ORDERS.c.id == order_id))
        return found[0] if found else None

    async def get_by_idempotency_key(self, key: str) -> Order | None:
        found = await self._load(select(ORDERS).where(ORDERS.c.idempotency_key == key))
        return found[0] if found else None

    async def for_customer(self, customer_id: UserId, limit: int, *,
                           before: OrderKey | None = None,
                           after: OrderKey | None = None) -> Sequence[Order]:
        return await self._load(customer_page(customer_id, limit, before=before, after=after))

    async def latest(self, limit: int, status: OrderStatus | None = None, *,
                     before: int | None = None, after: int | None = None) -> Sequence[Order]:
        """Orders (of `status`, if given) by id for admins: the newest, or those below
        `before` newest first, or those above `after` oldest first (domain.paging)."""
        return await self._load(by_id(select(ORDERS), ORDERS.c.id, limit, before, after)
                                .where(*([ORDERS.c.status == status.value] if status else [])))

    async def waiting_for_slot(self, restaurant_id: RestaurantId) -> Sequence[Order]:
        """The restaurant's orders for a slot that the queue has not started yet."""
        stmt = select(ORDERS).where(
            ORDERS.c.restaurant_id == restaurant_id, ORDERS.c.status == OrderStatus.CREATED.value,
            ORDERS.c.scheduled_for.is_not(None)).order_by(ORDERS.c.id)
        return await self._load(stmt)

    async def history(self, order_id: OrderId) -> Sequence[OrderEvent]:
        """Every recorded move of the order, oldest first."""
        rows = (await self._session.execute(_HISTORY, {"order_id": order_id})).mappings()
        return [mapping.event_from_row(row) for row in rows]

    async def view(self, order: Order) -> OrderView:
        """The order with its restaurant's name, partner's name, rating and tracking message
        (one query) and its history (a second): what every order screen shows."""
        stmt = select(*_facts(order.id, order.restaurant_id, order.partner_id, order.customer_id))
        return await self._view(order, (await self._session.execute(stmt)).one())

    async def view_of(self, order_id: OrderId) -> OrderView | None:
        """`view(get(order_id))` in three queries, not four: the order's row with its names,
        rating and tracking message, its items, its history. None when there is no such
        order."""
        row = (await self._session.execute(_VIEW_OF, {"order_id": order_id})).mappings().first()
        if row is None:
            return None
        order = mapping.order_from_rows(row, (await self._items([order_id]))[order_id])
        return await self._view(order, [row[key] for key in _FACT_KEYS])

    async def _view(self, order: Order, facts: Sequence[Any]) -> OrderView:
        restaurant, partner, stars, chat_id, message_id, zone, travel, prep, mine, lat, lon = facts
        return OrderView(
            order, restaurant if restaurant is not None else "?",
            tuple(await self.history(order.id)), partner, stars,
            TrackingMessage(chat_id, message_id) if chat_id is not None else None,
            zone or "UTC", travel_minutes=travel, prep_minutes=prep, customer_zone=mine,
            rider=(lat, lon) if lat is not None and lon is not None else None,
        )

    async def _load(self, stmt: Select[Any]) -> list[Order]:
        """Orders the statement selects, with their items, in two queries."""
        rows = (await self._session.execute(stmt)).mappings().all()
        if not rows:
            return []
        items = await self._items([row["id"] for row in rows])
        return [mapping.order_from_rows(row, items[row["id"]]) for row in rows]

    async def _items(self, order_ids: Sequence[int]) -> defaultdict[int, list[RowMapping]]:
        """The orders' item rows, each order's in position order."""
        items: defaultdict[int, list[RowMapping]] = defaultdict(list)
        for item in (await self._session.execute(_ITEMS, {"ids": order_ids})).mappings():
            items[item["order_id"]].append(item)
        return items


def _facts(order_id: Any, restaurant_id: Any, partner_id: Any, customer_id: Any) -> list[Any]:
    """What an order's screen shows beside the order, as scalar subqueries: its restaurant's
    name, its partner's name, its rating, its tracking message's chat and id, the
    restaurant's time zone, ride and preparation, the customer's own time zone, the rider's
    spot while the customer's map of it is live. The
    arguments are values, or the orders table's columns to read them from the same row."""
    tracking = TRACKING_MESSAGES.c
    return [
        select(RESTAURANTS.c.name).where(RESTAURANTS.c.id == restaurant_id).scalar_subquery(),
        select(PARTNERS.c.name).where(PARTNERS.c.id == partner_id).scalar_subquery()
        if partner_id is not None else null(),
        select(ORDER_RATINGS.c.stars).where(ORDER_RATINGS.c.order_id == order_id)
        .scalar_subquery(),
        select(tracking.chat_id).where(tracking.order_id == order_id).scalar_subquery(),
        select(tracking.message_id).where(tracking.order_id == order_id).scalar_subquery(),
        select(RESTAURANTS.c.time_zone).where(RESTAURANTS.c.id == restaurant_id)
        .scalar_subquery(),
        select(RESTAURANTS.c.travel_minutes).where(RESTAURANTS.c.id == restaurant_id)
        .scalar_subquery(),
        select(RESTAURANTS.c.prep_minutes).where(RESTAURANTS.c.id == restaurant_id)
        .scalar_subquery(),
        select(CUSTOMERS.c.time_zone).where(CUSTOMERS.c.id == customer_id).scalar_subquery(),
        *(select(column).where(RIDER_SPOTS.c.order_id == order_id,
                               RIDER_SPOTS.c.stopped.is_(False)).scalar_subquery()
          for column in (RIDER_SPOTS.c.latitude, RIDER_SPOTS.c.longitude)),
    ]


# new orders' dishes, many rows in one statement (storage/pipeline/bulk.py)
_NEW_ORDERS = Bulk(insert(ORDERS).returning(ORDERS.c.id),  # every column but the id
                   [c.key for c in ORDERS.c if not c.primary_key])
_KNOWN_KEYS = Prepared(select(ORDERS.c.idempotency_key).where(
    in_ids(ORDERS.c.idempotency_key, "keys")))
_NEW_ITEMS = Bulk(insert(ORDER_ITEMS).inline(), ["order_id", "position", "menu_item_id", "name",
                                                  "unit_price", "quantity", "options"])
# `view_of`'s statement, built once (the tracking message is redrawn at every status change)
_FACT_KEYS = ("_restaurant", "_partner", "_stars", "_chat_id", "_message_id", "_time_zone",
              "_travel", "_prep", "_customer_zone", "_rider_latitude", "_rider_longitude")
_VIEW_OF = select(ORDERS, *(
    fact.label(key) for key, fact in zip(
        _FACT_KEYS,
        _facts(ORDERS.c.id, ORDERS.c.restaurant_id, ORDERS.c.partner_id, ORDERS.c.customer_id),
        strict=True)
)).where(ORDERS.c.id == bindparam("order_id"))
# built once, as every order screen reads them (storage/repositories.py says why)
_HISTORY = select(ORDER_EVENTS).where(ORDER_EVENTS.c.order_id == bindparam("order_id")).order_by(
    ORDER_EVENTS.c.id)
_ITEMS = select(ORDER_ITEMS).where(in_ids(ORDER_ITEMS.c.order_id)
                                   ).order_by(ORDER_ITEMS.c.order_id, ORDER_ITEMS.c.position)


def customer_page(customer_id: int, limit: int, *, before: OrderKey | None = None,
                  after: OrderKey | None = None) -> Select[Any]:
    """A page of the customer's orders by (created_at, id), newest first (oldest first for the
    page above `after`): the index on (customer_id, created_at) finds each page without
    reading those before it."""
    o = ORDERS.c
    stmt = select(ORDERS).where(o.customer_id == customer_id)
    if after is not None:
        at, order_id = _moment(after[0]), after[1]
        stmt = stmt.where(or_(o.created_at > at, and_(o.created_at == at, o.id > order_id)))
        return stmt.order_by(o.created_at, o.id).limit(limit)
    if before is not None:
        at, order_id = _moment(before[0]), before[1]
        stmt = stmt.where(or_(o.created_at < at, and_(o.created_at == at, o.id < order_id)))
    return stmt.order_by(o.created_at.desc(), o.id.desc()).limit(limit)


def _moment(micros: int) -> datetime:
    """A domain.views.order_key's moment back as the UTC datetime stored."""
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)
