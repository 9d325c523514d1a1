"""The admin console's orders and stats on the real database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import NotFound
from domain.ids import OrderId
from domain.orders import OrderStatus
from domain.services.admin.orders import OrderAdmin
from domain.services.admin.stats import StatsAdmin
from storage.admin_repositories import SqlAdminUnitOfWork
from tests.integration.builders import Catalog, FixedClock, new_order, store_order
from tests.scenes import move_order


async def test_orders_list_newest_first_by_status_and_stats_count_them(
    order_admin: OrderAdmin, stats_admin: StatsAdmin, catalog: Catalog, clock: FixedClock,
    admin_uows: Callable[[], SqlAdminUnitOfWork],
) -> None:
    first = await store_order(admin_uows, new_order(catalog, clock.now()))
    second = await store_order(admin_uows, new_order(catalog, clock.advance(minutes=5)))
    async with admin_uows() as uow:
        await move_order(uow.session, first.id, OrderStatus.CONFIRMED, OrderStatus.PREPARING,
                         at=clock.now())
        await move_order(uow.session, first.id, OrderStatus.CANCELLED,
                         at=clock.advance(minutes=30))
        await uow.commit()

    listed = (await order_admin.orders()).items
    assert [line.order.id for line in listed] == [second.id, first.id]
    assert {line.restaurant for line in listed} == {"Dominos"}
    cancelled = (await order_admin.orders(OrderStatus.CANCELLED)).items
    assert [line.order.id for line in cancelled] == [first.id]
    detail = await order_admin.order_detail(first.id)
    assert detail.customer_name == "Asha"
    assert [e.to_status for e in detail.history][-1] == OrderStatus.CANCELLED

    report = await stats_admin.stats()
    assert report.last_7_days.total_orders == 2
    assert report.last_7_days.by_status[OrderStatus.CANCELLED] == 1
    assert report.last_7_days.by_status[OrderStatus.CREATED] == 1
    assert report.last_7_days.revenue_minor == 0
    with pytest.raises(NotFound):
        await order_admin.order_detail(OrderId(999999))
