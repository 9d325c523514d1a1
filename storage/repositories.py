"""SQL repositories for the catalogue, customers, carts and partners (domain/ports.py).

They run statements on the unit of work's session and never commit. They speak SQL to the
tables directly, so no ORM object is ever lazy-loaded or left stale in an identity map.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.cart import Cart
from domain.customers import Customer
from domain.errors import NotFound
from domain.ids import MenuItemId, OrderId, RestaurantId, UserId
from domain.restaurants import MenuItem, Restaurant
from storage import mapping, menu_mapping
from storage.pipeline.sql import Prepared
from storage.rows.base import utcnow
from storage.sql import (
    CART_LINES,
    CARTS,
    CUSTOMERS,
    MENU_ITEMS,
    ORDER_ITEMS,
    RESTAURANTS,
    add_missing,
    execute_count,
    in_ids,
    upsert,
)


class SqlRestaurantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, restaurant: Restaurant) -> Restaurant:
        """Stores a new restaurant and returns it with the id the database gave it."""
        stmt = insert(RESTAURANTS).values(menu_mapping.restaurant_values(restaurant))
        new_id = (await self._session.execute(stmt.returning(RESTAURANTS.c.id))).scalar_one()
        return replace(restaurant, id=RestaurantId(new_id))

    async def get(self, restaurant_id: RestaurantId) -> Restaurant | None:
        row = (await self._session.execute(_RESTAURANT, {"id": restaurant_id})).mappings().first()
        return menu_mapping.restaurant_from_row(row) if row is not None else None

    async def get_many(
        self, restaurant_ids: Iterable[RestaurantId]
    ) -> dict[RestaurantId, Restaurant]:
        wanted = sorted(set(restaurant_ids))
        rows = await _RESTAURANTS.mappings(self._session, {"ids": wanted})
        return {RestaurantId(row["id"]): menu_mapping.restaurant_from_row(row) for row in rows}

    async def get_by_name(self, name: str) -> Restaurant | None:
        stmt = select(RESTAURANTS).where(RESTAURANTS.c.name == name.strip())
        row = (await self._session.execute(stmt)).mappings().one_or_none()
        return menu_mapping.restaurant_from_row(row) if row is not None else None

    async def list(self) -> Sequence[Restaurant]:
        stmt = select(RESTAURANTS).order_by(RESTAURANTS.c.id)
        rows = (await self._session.execute(stmt)).mappings()
        return [menu_mapping.restaurant_from_row(row) for row in rows]

    async def save(self, restaurant: Restaurant) -> None:
        stmt = (
            update(RESTAURANTS)
            .where(RESTAURANTS.c.id == restaurant.id)
            .values(menu_mapping.restaurant_values(restaurant))
        )
        if await execute_count(self._session, stmt) == 0:
            raise NotFound("restaurant", restaurant.id)


class SqlMenuRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, item: MenuItem) -> MenuItem:
        """Stores a new dish and returns it with the id the database gave it."""
        stmt = insert(MENU_ITEMS).values(menu_mapping.menu_item_values(item))
        new_id = (await self._session.execute(stmt.returning(MENU_ITEMS.c.id))).scalar_one()
        return replace(item, id=MenuItemId(new_id))

    async def get(self, item_id: MenuItemId) -> MenuItem | None:
        row = (await self._session.execute(_DISH, {"id": item_id})).mappings().first()
        return menu_mapping.menu_item_from_row(row) if row is not None else None

    async def get_many(self, item_ids: Iterable[MenuItemId]) -> dict[MenuItemId, MenuItem]:
        wanted = sorted(set(item_ids))
        if not wanted:
            return {}
        rows = await _DISHES.mappings(self._session, {"ids": wanted})
        items = map(menu_mapping.menu_item_from_row, rows)
        return {item.id: item for item in items}

    async def for_restaurant(self, restaurant_id: RestaurantId) -> Sequence[MenuItem]:
        """The restaurant's dishes by category, then name."""
        stmt = (
            select(MENU_ITEMS)
            .where(MENU_ITEMS.c.restaurant_id == restaurant_id)
            .order_by(MENU_ITEMS.c.category, MENU_ITEMS.c.name, MENU_ITEMS.c.id)
        )
        rows = (await self._session.execute(stmt)).mappings()
        return [menu_mapping.menu_item_from_row(row) for row in rows]

    async def save(self, item: MenuItem) -> None:
        stmt = (
            update(MENU_ITEMS)
            .where(MENU_ITEMS.c.id == item.id)
            .values(menu_mapping.menu_item_values(item))
        )
        if await execute_count(self._session, stmt) == 0:
            raise NotFound("menu item", item.id)

    async def back_in_stock(self, now: datetime) -> list[MenuItem]:
        m = MENU_ITEMS.c
        due = update(MENU_ITEMS).where(m.back_at <= now).values(stock=None, back_at=None)
        rows = await self._session.execute(due.returning(*MENU_ITEMS.c))
        return [menu_mapping.menu_item_from_row(row) for row in rows.mappings()]

    async def next_back(self) -> datetime | None:
        stmt = select(func.min(MENU_ITEMS.c.back_at))
        back: datetime | None = (await self._session.execute(stmt)).scalar_one_or_none()
        return back

    async def take_stock(self, order_id: OrderId, items: Sequence[tuple[MenuItem, int]]
                         ) -> dict[str, int]:
        m, short = MENU_ITEMS.c, {}
        for item, quantity in items:
            taken = update(MENU_ITEMS).where(m.id == item.id, m.stock >= quantity).values(
                stock=m.stock - quantity)
            if await execute_count(self._session, taken) != 1:
                left = (await self._session.execute(select(m.stock).where(m.id == item.id))
                        ).scalar_one_or_none()
                short[item.name] = left or 0
        if not short:
            i = ORDER_ITEMS.c
            await self._session.execute(update(ORDER_ITEMS).where(
                i.order_id == order_id, i.menu_item_id.in_([item.id for item, _ in items]),
            ).values(from_stock=True))
        return short


class SqlCustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, customer_id: UserId) -> Customer | None:
        row = (await self._session.execute(_CUSTOMER, {"id": customer_id})).mappings().first()
        return mapping.customer_from_row(row) if row is not None else None

    async def save(self, customer: Customer) -> None:
        """Inserts or updates the customer in one statement."""
        values = mapping.customer_values(customer)
        await upsert(self._session, CUSTOMERS, values, key=["id"])

    async def ensure(self, customer: Customer) -> None:
        """Inserts the customer unless the id is known; a known customer is left unchanged."""
        values = mapping.customer_values(customer)
        await add_missing(self._session, CUSTOMERS, values)

    async def set_time_zone(self, customer: Customer, zone: str | None) -> None:
        await self.ensure(customer)
        await self._session.execute(update(CUSTOMERS).where(CUSTOMERS.c.id == customer.id)
                                    .values(time_zone=zone))


class SqlCartRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, customer_id: UserId) -> Cart:
        """The customer's cart, with its lines in one query; an empty one when none is
        stored."""
        rows = await self._session.execute(_CART, {"customer_id": customer_id})
        return _by_customer(rows.mappings(), [customer_id])[customer_id]

    async def get_many(self, customer_ids: Iterable[UserId]) -> dict[UserId, Cart]:
        """Each customer's cart (an empty one when none is stored), in one query."""
        wanted = sorted(set(customer_ids))
        return _by_customer(await _CARTS.mappings(self._session, {"ids": wanted}), wanted)

    async def clear_many(self, customer_ids: Iterable[UserId]) -> None:
        """Removes the customers' carts (what saving an emptied cart does), set-based."""
        wanted = {"ids": sorted(set(customer_ids))}
        await _DROP_MANY_LINES.count(self._session, wanted)
        await _DROP_MANY_CARTS.count(self._session, wanted)

    async def save(self, cart: Cart) -> None:
        """Replaces the stored cart with this one; an empty cart is removed."""
        await self._session.execute(_DROP_LINES, {"customer_id": cart.customer_id})
        if cart.is_empty:
            await self._session.execute(_DROP_CART, {"customer_id": cart.customer_id})
            return
        values = {
            "customer_id": cart.customer_id,
            "restaurant_id": cart.restaurant_id,
            "updated_at": utcnow(),
        }
        await upsert(self._session, CARTS, values, key=["customer_id"])
        await self._session.execute(_ADD_LINES, mapping.cart_line_values(cart))


def _carts(which: ColumnElement[bool]) -> Select[Any]:
    """The carts `which` selects, with their lines (a plain `=` for one customer: an
    expanding IN costs about twice the CPU of a statement on the chat's hot path)."""
    lines = CART_LINES.c
    return (
        select(CARTS.c.customer_id, CARTS.c.restaurant_id, lines.menu_item_id, lines.options,
               lines.quantity)
        .select_from(CARTS.outerjoin(CART_LINES, lines.customer_id == CARTS.c.customer_id))
        .where(which)
        .order_by(CARTS.c.customer_id, lines.position, lines.menu_item_id)
    )


# The statements the chat runs on nearly every update, built once: a statement built per
# call costs about as much CPU again as running it (constructing it, then working out its
# cache key), where a built one's key is kept with it.
_RESTAURANT = select(RESTAURANTS).where(RESTAURANTS.c.id == bindparam("id"))
_RESTAURANTS = Prepared(select(RESTAURANTS).where(in_ids(RESTAURANTS.c.id)))
_DISH = select(MENU_ITEMS).where(MENU_ITEMS.c.id == bindparam("id"))
_DISHES = Prepared(select(MENU_ITEMS).where(in_ids(MENU_ITEMS.c.id)))
_CUSTOMER = select(CUSTOMERS).where(CUSTOMERS.c.id == bindparam("id"))
_CART = _carts(CARTS.c.customer_id == bindparam("customer_id"))
_CARTS = Prepared(_carts(in_ids(CARTS.c.customer_id)))
_DROP_LINES = delete(CART_LINES).where(CART_LINES.c.customer_id == bindparam("customer_id"))
_DROP_CART = delete(CARTS).where(CARTS.c.customer_id == bindparam("customer_id"))
_DROP_MANY_LINES = Prepared(delete(CART_LINES).where(in_ids(CART_LINES.c.customer_id)))
_DROP_MANY_CARTS = Prepared(delete(CARTS).where(in_ids(CARTS.c.customer_id)))
_ADD_LINES = insert(CART_LINES)


def _by_customer(rows: Iterable[mapping.Row], customer_ids: Sequence[UserId]) -> dict[UserId, Cart]:
    """Each customer's cart from `_carts`' rows; an empty one for a customer without rows."""
    found: defaultdict[int, list[mapping.Row]] = defaultdict(list)
    for row in rows:
        found[row["customer_id"]].append(row)
    return {
        c: mapping.cart_from_rows(c, found[c][0], [r for r in found[c]
                                                   if r["menu_item_id"] is not None])
        if found[c] else Cart(c)
        for c in customer_ids
    }
