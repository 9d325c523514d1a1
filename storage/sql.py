"""Small SQL helpers shared by the repositories: tables of the rows, a portable upsert."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    CursorResult,
    Executable,
    Select,
    Table,
    any_,
    bindparam,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.visitors import InternalTraversal

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
CHECKOUTS = cast(Table, rows.CheckoutRow.__table__)
TRACKING_MESSAGES = cast(Table, rows.TrackingMessageRow.__table__)
RIDER_SPOTS = cast(Table, rows.RiderSpotRow.__table__)
LINE_MESSAGES = cast(Table, rows.LineMessageRow.__table__)
ORDER_RATINGS = cast(Table, rows.OrderRatingRow.__table__)
INBOX = cast(Table, rows.InboxRow.__table__)
LEASES = cast(Table, rows.LeaseRow.__table__)
CHAT_LANGUAGES = cast(Table, rows.ChatLanguageRow.__table__)
PROMOS = cast(Table, rows.PromoRow.__table__)
PROMO_USES = cast(Table, rows.PromoUseRow.__table__)
PAYMENTS = cast(Table, rows.PaymentRow.__table__)
REFUNDS = cast(Table, rows.RefundRow.__table__)
STATS_HOURS = cast(Table, rows.StatsHourRow.__table__)
STATS_MINUTES = cast(Table, rows.StatsMinuteRow.__table__)


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def ids(name: str = "ids") -> BindParameter[Any]:
    """A list of keys given at each run, as the parameter of an IN: a statement built once
    takes any number of them."""
    return bindparam(name, expanding=True)


class InList(ColumnElement[bool]):
    """`column` is one of the list given at each run as the parameter `name`: a statement
    built once takes any number of them, and its SQL is the same whatever their number.

    SQLite: `column IN (?, ?, ...)`, an expanding IN (SQLite has no arrays). PostgreSQL:
    `column = ANY($1::type[])`, the whole list one array parameter. An expanding IN there
    had SQLAlchemy render the list into the text again at every run (a regular-expression
    pass over it), and each list length was a new text for asyncpg to prepare on the server
    and cache; one text is prepared once. `~in_ids(...)` is its negation, NOT (...)."""

    inherit_cache = True
    _is_implicitly_boolean = True  # a condition already: no "= 1" where booleans are numbers
    # what its cache key is made of; a list, as SQLAlchemy declares it
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),  # noqa: RUF012
                           ("name", InternalTraversal.dp_string)]
    type = Boolean()

    def __init__(self, column: ColumnElement[Any], name: str = "ids") -> None:
        self.column, self.name = column, name


def in_ids(column: ColumnElement[Any], name: str = "ids") -> InList:
    """`column IN` the list given at each run as `name` (InList)."""
    return InList(column, name)


@compiles(InList)
def _in_list(element: InList, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column.in_(ids(element.name)), **kw))


@compiles(InList, "postgresql")
def _any_of_array(element: InList, compiler: Any, **kw: Any) -> str:
    listed = bindparam(element.name, type_=postgresql.ARRAY(element.column.type))
    return str(compiler.process(element.column == any_(listed), **kw))


async def execute_count(
    session: AsyncSession, statement: Executable, values: dict[str, Any] | None = None
) -> int:
    """Runs an UPDATE or DELETE and returns how many rows it matched."""
    result = await session.execute(statement, values)
    return cast(CursorResult[Any], result).rowcount


def _conflict_insert(name: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which knows ON CONFLICT."""
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no INSERT ... ON CONFLICT for the {name} dialect")


async def upsert(
    session: AsyncSession, table: Table, values: dict[str, Any], *, key: Sequence[str]
) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET every other given column.

    One statement, so two sessions saving the same new row cannot both insert it. Built once
    per table and set of columns, the values passed as parameters: building it anew for each
    row made SQLAlchemy derive the `excluded` table's columns every time (a cart, a checkout
    and a tracking message are saved on most chat screens).
    """
    stmt = upsert_statement(dialect_name(session), table=table, columns=tuple(values),
                            key=tuple(key))
    await session.execute(stmt, values)


@functools.cache
def upsert_statement(
    dialect: str, *, table: Table, columns: tuple[str, ...], key: tuple[str, ...]
) -> Insert:
    """The dialect's INSERT of `columns` ... ON CONFLICT (key) DO UPDATE SET the others, built
    once for each; the rows come as parameters."""
    base = _conflict_insert(dialect, table)
    changes = {c: base.excluded[c] for c in columns if c not in key}
    return base.on_conflict_do_update(index_elements=list(key), set_=changes)


@functools.cache
def adding_statement(dialect: str, table: Table, key: tuple[str, ...]) -> Insert:
    """The dialect's INSERT of a row ... ON CONFLICT (key) DO UPDATE SET each other column to
    its sum with the row's: counters kept by key."""
    base = _conflict_insert(dialect, table)
    sums = {c.name: c + base.excluded[c.name] for c in table.c if c.name not in key}
    return base.on_conflict_do_update(index_elements=list(key), set_=sums)


async def add_missing(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING of one row, the statement built once per table (the
    chat adds a customer and a chat's language this way on first contact)."""
    await session.execute(_missing_statement(dialect_name(session), table), values)


@functools.cache
def _missing_statement(dialect: str, table: Table) -> Insert:
    return _conflict_insert(dialect, table).on_conflict_do_nothing()


def insert_missing(
    session: AsyncSession, table: Table, values: dict[str, Any] | Sequence[dict[str, Any]]
) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING: adds the row (or rows) unless its key is taken."""
    return _missing_statement(dialect_name(session), table).values(values)


def by_id(stmt: Select[Any], key: Any, limit: int, before: int | None, after: int | None
          ) -> Select[Any]:
    """`stmt` read by the id column `key` for a keyset page (domain.paging), `limit` rows:
    below `before` newest first, above `after` oldest first, else the newest."""
    if after is not None:
        return stmt.where(key > after).order_by(key).limit(limit)
    if before is not None:
        stmt = stmt.where(key < before)
    return stmt.order_by(key.desc()).limit(limit)
