"""/stats from the totals kept as orders finish (storage/stats.py), on the real databases: each
order counted once, under way or finished, whoever finished it and however many at once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ids import OrderId, UserId
from domain.orders import Order, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import Effects
from domain.services.admin.stats import StatsAdmin
from domain.stats import OrderFact, today_and_last_7_days, totals_of
from storage.pipeline.store import SqlPipelineTx
from storage.rows.orders import UNDER_WAY
from storage.sql import STATS_HOURS, STATS_MINUTES
from storage.uow import SqlUnitOfWork
from tests.integration.builders import Catalog, FixedClock, new_order, store_order
from tests.scenes import move_order

S = OrderStatus
RIDER = UserId(7001)
ROAD = (S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY)


def test_the_index_of_orders_under_way_names_every_status_that_is_not_an_end() -> None:
    named = set(re.findall(r"'(\w+)'", UNDER_WAY.text))
    assert named == {status.value for status in S if not status.is_terminal}


async def placed(uows: Callable[[], SqlUnitOfWork], catalog: Catalog, at: datetime,
                 **terms: object) -> Order:
    return await store_order(uows, replace(new_order(catalog, at), **terms))  # type: ignore[arg-type]


async def finish(uows: Callable[[], SqlUnitOfWork], order: Order, at: datetime,
                 *moves: S) -> None:
    async with uows() as uow:
        await move_order(uow.session, order.id, *moves, at=at,
                         partner=RIDER if S.OUT_FOR_DELIVERY in moves else None)
        await uow.commit()


def fact(order: Order, status: S, delivered: datetime | None = None) -> OrderFact:
    return OrderFact(OrderId(order.id), status, order.total.amount, order.created_at, delivered,
                     order.delivery_fee, order.discount, order.tip, order.paid_online,
                     order.expected_at)


async def test_stats_count_every_order_once_under_way_or_finished_as_a_scan_of_them_would(
    uow_factory: Callable[[], SqlUnitOfWork], stats_admin: StatsAdmin, catalog: Catalog,
    clock: FixedClock,
) -> None:
    async with uow_factory() as uow:
        await uow.partners.save(Partner(RIDER, "Ravi", PartnerStatus.APPROVED))
        await uow.commit()
    t0 = clock.now()
    fast = await placed(uow_factory, catalog, t0, delivery_fee=4000, tip=2000,
                        paid_online=True, expected_at=t0 + timedelta(minutes=40))
    slow = await placed(uow_factory, catalog, t0 + timedelta(minutes=50), discount=1000,
                        expected_at=t0 + timedelta(minutes=80))
    gone = await placed(uow_factory, catalog, t0 + timedelta(hours=2))
    going = await placed(uow_factory, catalog, t0 + timedelta(hours=3))
    await finish(uow_factory, fast, t0 + timedelta(minutes=31), *ROAD, S.DELIVERED)
    await finish(uow_factory, slow, t0 + timedelta(minutes=50 + 47.5), *ROAD, S.DELIVERED)
    await finish(uow_factory, gone, t0 + timedelta(hours=2, minutes=5), S.CANCELLED)
    await finish(uow_factory, going, t0 + timedelta(hours=3, minutes=1), *ROAD[:2])
    clock.advance(hours=4)

    report = await stats_admin.stats()

    facts = [fact(fast, S.DELIVERED, t0 + timedelta(minutes=31)),
             fact(slow, S.DELIVERED, t0 + timedelta(minutes=97.5)),
             fact(gone, S.CANCELLED), fact(going, S.PREPARING)]
    assert report == today_and_last_7_days(clock.now(), totals_of(facts), 0)
    week = report.last_7_days
    assert week.total_orders == 4
    assert (week.by_status[S.DELIVERED], week.by_status[S.CANCELLED],
            week.by_status[S.PREPARING]) == (2, 1, 1)
    assert week.revenue_minor == fast.total.amount + slow.total.amount
    assert (week.deliveries, week.p90_minutes, week.late) == (2, 48, 1)  # 47.5 to the minute
    assert week.money.online == fast.total.amount


async def test_orders_finished_at_once_in_many_transactions_are_each_counted(
    uow_factory: Callable[[], SqlUnitOfWork], stats_admin: StatsAdmin, catalog: Catalog,
    clock: FixedClock, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Every finishing transaction adds to the same hour's row; on PostgreSQL they wait for
    each other in line, and none of their additions is lost."""
    orders = [await placed(uow_factory, catalog, clock.now()) for _ in range(12)]
    when = clock.advance(minutes=20)

    await asyncio.gather(*(finish(uow_factory, order, when, S.CANCELLED) for order in orders))

    report = await stats_admin.stats()
    assert report.today.by_status[S.CANCELLED] == 12
    assert report.today.total_orders == 12
    async with session_factory() as session:
        kept = (await session.execute(select(STATS_HOURS.c.status, STATS_HOURS.c.orders))).all()
        minutes = (await session.execute(select(func.count()).select_from(STATS_MINUTES))
                   ).scalar_one()
    assert [tuple(row) for row in kept] == [("CANCELLED", 12)]
    assert minutes == 0  # cancelled orders have no delivery time


async def test_an_order_refused_by_its_guard_adds_nothing(
    uow_factory: Callable[[], SqlUnitOfWork], stats_admin: StatsAdmin, catalog: Catalog,
    clock: FixedClock,
) -> None:
    """A cancel decided on the order as it was, written after another cancel: dropped whole."""
    order = await placed(uow_factory, catalog, clock.now())
    async with uow_factory() as uow:
        seen = (await SqlPipelineTx(uow.session).orders({order.id}))[order.id]
    late = Effects(order.id)
    late.move(seen, S.CANCELLED, at=clock.advance(minutes=1))
    await finish(uow_factory, order, clock.now(), S.CANCELLED)

    async with uow_factory() as uow:
        assert await SqlPipelineTx(uow.session).apply([late], clock.now()) == {order.id}
        await uow.commit()

    report = await stats_admin.stats()
    assert report.today.by_status[S.CANCELLED] == 1
    assert report.today.total_orders == 1
