"""A customer's orders a page at a time (keyset paging, domain.views.order_key): every order once,
in order, through ties of creation time, both ways; each page found through the index."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ids import UserId
from domain.orders import Order
from domain.paging import Keyset
from domain.services.orders import RECENT_ORDERS, CustomerOrders
from domain.views import OrderKey, OrderView
from storage.order_repository import customer_page
from storage.uow import SqlUnitOfWork
from tests.integration.builders import (
    CUSTOMER,
    OTHER_CUSTOMER,
    T0,
    Catalog,
    FixedClock,
    new_order,
    store_order,
)

Uows = Callable[[], SqlUnitOfWork]


def ids(page: Keyset[OrderView, OrderKey]) -> list[int]:
    return [view.order.id for view in page.items]


async def test_paging_shows_every_order_once_newest_first_and_back(
    uow_factory: Uows, catalog: Catalog
) -> None:
    stored: list[Order] = []
    for n in range(25):  # every third created in the same microsecond as the one before
        at = T0 + timedelta(minutes=n - n % 3)
        stored.append(await store_order(uow_factory, new_order(catalog, at)))
    await store_order(uow_factory, new_order(catalog, T0, customer=OTHER_CUSTOMER))
    newest_first = [o.id for o in sorted(stored, key=lambda o: (o.created_at, o.id),
                                         reverse=True)]
    orders = CustomerOrders(uow_factory, FixedClock(T0), "INR", pipeline=None)  # type: ignore[arg-type]

    pages = [await orders.recent(UserId(CUSTOMER))]
    while pages[-1].older is not None:
        pages.append(await orders.recent(UserId(CUSTOMER), before=pages[-1].older))
    assert [len(page.items) for page in pages] == [RECENT_ORDERS, RECENT_ORDERS, 5]
    assert [i for page in pages for i in ids(page)] == newest_first
    assert pages[0].newer is None and all(page.newer for page in pages[1:])

    back = [pages[-1]]
    while back[-1].newer is not None:
        back.append(await orders.recent(UserId(CUSTOMER), after=back[-1].newer))
    assert [ids(page) for page in back] == [ids(page) for page in reversed(pages)]
    assert back[-1].newer is None and back[-1].older == pages[0].older


async def test_a_customer_with_no_orders_gets_an_empty_page(
    uow_factory: Uows, catalog: Catalog
) -> None:
    orders = CustomerOrders(uow_factory, FixedClock(T0), "INR", pipeline=None)  # type: ignore[arg-type]
    page = await orders.recent(UserId(OTHER_CUSTOMER))
    assert (page.items, page.newer, page.older) == ((), None, None)


async def test_a_page_is_found_through_the_customers_index(engine: AsyncEngine) -> None:
    """Never a scan of all orders: the page's cost does not grow with the history."""
    for page in (customer_page(CUSTOMER, 11), customer_page(CUSTOMER, 11, before=KEY),
                 customer_page(CUSTOMER, 11, after=KEY)):
        async with engine.connect() as connection:
            shown = str(page.compile(dialect=connection.dialect,
                                     compile_kwargs={"literal_binds": True}))
            if connection.dialect.name == "postgresql":
                await connection.execute(text("SET enable_seqscan = off"))  # a big table
                plan = "\n".join((await connection.execute(text(f"EXPLAIN {shown}"))).scalars())
                assert "Seq Scan" not in plan, plan
            else:
                rows = (await connection.execute(text(f"EXPLAIN QUERY PLAN {shown}"))).all()
                plan = "\n".join(str(row[-1]) for row in rows)
                assert "INDEX ix_orders_customer_id_created_at" in plan, plan
                assert "TEMP B-TREE" not in plan, plan  # read in order: no sort of them all


KEY = (1_767_225_600_000_000, 5)  # 2026-01-01, order #5
