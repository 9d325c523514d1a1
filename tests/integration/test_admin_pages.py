"""The admins' long lists a page at a time (domain.paging): /allorders with and without a
status, /deadletters and /audit page through every row once, both ways, each page read from an
index (no scan of the orders however many there are)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import RandomTokens
from domain.audit import AuditEntry
from domain.ids import UserId
from domain.orders import OrderStatus
from domain.paging import Keyset
from domain.partners import Partner, PartnerStatus
from domain.services.admin import orders as admin_orders
from domain.services.admin import partners as admin_partners
from domain.services.admin.catalogue import CatalogueAdmin
from domain.services.admin.orders import OrderAdmin
from domain.services.admin.partners import PartnerAdmin
from storage.admin_repositories import AUDIT, SqlAdminUnitOfWork
from storage.sql import ORDERS, TASKS, by_id
from tests.integration.builders import T0, Catalog, FixedClock, new_order, store_order
from tests.scenes import move_order

AdminUows = Callable[[], SqlAdminUnitOfWork]
Pages = Callable[..., Awaitable[Keyset[Any, int]]]


async def every_page(read: Pages, key: Callable[[Any], int]) -> list[int]:
    """Pages down to the end, then back up, checking both ways show the same rows."""
    pages = [await read()]
    while pages[-1].older is not None:
        pages.append(await read(before=pages[-1].older))
    up = [pages[-1]]
    while up[-1].newer is not None:
        up.append(await read(after=up[-1].newer))
    assert [p.items for p in up] == [p.items for p in reversed(pages)]
    return [key(item) for page in pages for item in page.items]


async def test_orders_page_through_all_and_through_one_status(
    admin_uows: AdminUows, order_admin: OrderAdmin, catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(admin_orders, "LATEST_ORDERS", 4)
    ids = []
    for n in range(11):
        order = await store_order(admin_uows, new_order(catalog, T0 + timedelta(minutes=n)))
        ids.append(order.id)
        if n % 2:
            async with admin_uows() as uow:
                await move_order(uow.session, order.id, OrderStatus.CANCELLED, at=T0)
                await uow.commit()

    def line_id(line: Any) -> int:
        return int(line.order.id)

    assert await every_page(order_admin.orders, line_id) == ids[::-1]

    async def cancelled(**way: int) -> Keyset[Any, int]:
        return await order_admin.orders(OrderStatus.CANCELLED, **way)

    assert await every_page(cancelled, line_id) == ids[1::2][::-1]


async def test_dead_letters_and_the_audit_page_through_all(
    admin_uows: AdminUows, order_admin: OrderAdmin, catalogue_admin: CatalogueAdmin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(admin_orders, "LATEST_DEAD", 3)
    async with admin_uows() as uow:
        await uow.session.execute(insert(TASKS), [
            {"kind": "confirm", "payload": {}, "state": state, "run_at": T0}
            for state in ["dead", "done"] * 4])
        for n in range(7):
            await uow.audit.add(AuditEntry(UserId(9001), T0, "set_price", f"item #{n}"))
        await uow.commit()
        dead = [i for i, s in (await uow.session.execute(select(TASKS.c.id, TASKS.c.state)))
                if s == "dead"]
        entries = list((await uow.session.execute(select(AUDIT.c.id))).scalars())

    assert await every_page(order_admin.dead_letters, lambda t: int(t.id)) == dead[::-1]

    async def audit(**way: int) -> Keyset[Any, int]:
        return await catalogue_admin.audit(3, **way)

    assert await every_page(audit, lambda e: int(e.id)) == entries[::-1]


@pytest.mark.parametrize("status", [None, OrderStatus.DELIVERED])
async def test_an_orders_page_is_read_from_an_index(engine: AsyncEngine,
                                                    status: OrderStatus | None) -> None:
    """Never a scan or a sort of all orders: a page costs the same under ten million."""
    where = [ORDERS.c.status == status.value] if status else []
    for way in ({}, {"before": 500}, {"after": 500}):
        page = by_id(select(ORDERS), ORDERS.c.id, 20, way.get("before"),
                     way.get("after")).where(*where)
        async with engine.connect() as connection:
            shown = str(page.compile(dialect=connection.dialect,
                                     compile_kwargs={"literal_binds": True}))
            if connection.dialect.name == "postgresql":
                await connection.execute(text("SET enable_seqscan = off"))
                await connection.execute(text("SET enable_sort = off"))
                plan = "\n".join((await connection.execute(text(f"EXPLAIN {shown}"))).scalars())
                assert "Seq Scan" not in plan and "Sort" not in plan, plan
            else:
                rows = (await connection.execute(text(f"EXPLAIN QUERY PLAN {shown}"))).all()
                plan = "\n".join(str(row[-1]) for row in rows)
                # by id alone SQLite walks the table backwards by rowid and stops at the page
                assert "TEMP B-TREE" not in plan, plan
                assert status is None or "INDEX ix_orders_status_id" in plan, plan


async def test_partners_page_through_all(
    admin_uows: AdminUows, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(admin_partners, "LISTED", 4)
    async with admin_uows() as uow:
        for n in range(9):
            await uow.partners.save(Partner(UserId(7000 + n), f"Rider {n}", PartnerStatus.PENDING))
        await uow.commit()
    service = PartnerAdmin(admin_uows, FixedClock(T0), RandomTokens())

    assert await every_page(service.partners, lambda p: int(p.id)) == list(range(7008, 6999, -1))
