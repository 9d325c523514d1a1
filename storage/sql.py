"""Small SQL helpers shared by the repositories: tables of the rows, a portable upsert."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from storage import rows

CUSTOMERS = cast(Table, rows.CustomerRow.__table__)
RESTAURANTS = cast(Table, rows.RestaurantRow.__table__)
MENU_ITEMS = cast(Table, rows.MenuItemRow.__table__)
CARTS = cast(Table, rows.CartRow.__table__)
CART_LINES = cast(Table, rows.CartLineRow.__table__)
ORDERS = cast(Table, rows.OrderRow.__table__)
ORDER_ITEMS = cast(Table, rows.OrderItemRow.__table__)
ORDER_EVENTS = cast(Table, rows.OrderEventRow.__table__)
PARTNERS = cast(Table, rows.PartnerRow.__table__)
TASKS = cast(Table, rows.TaskRow.__table__)
OUTBOX = cast(Table, rows.OutboxRow.__table__)


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def execute_count(session: AsyncSession, statement: Executable) -> int:
    """Runs an UPDATE or DELETE and returns how many rows it matched."""
    result = await session.execute(statement)
    return cast(CursorResult[Any], result).rowcount


def upsert(
    session: AsyncSession, table: Table, values: dict[str, Any], *, key: Sequence[str]
) -> Insert:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET every other given column.

    One statement, so two sessions saving the same new row cannot both insert it.
    """
    name = dialect_name(session)
    if name == "postgresql":
        pg_stmt = postgresql.insert(table).values(values)
        changes = {c: pg_stmt.excluded[c] for c in values if c not in key}
        return pg_stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
    if name == "sqlite":
        lite_stmt = sqlite.insert(table).values(values)
        changes = {c: lite_stmt.excluded[c] for c in values if c not in key}
        return lite_stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
    raise NotImplementedError(f"no upsert for the {name} dialect")
