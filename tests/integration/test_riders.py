"""Riders counted for the estimate (domain.estimates), in one statement on each backend:
approved partners online, free or on a delivery, and orders that need a rider now or soon."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from domain.estimates import Riders
from domain.ids import UserId
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from storage.uow import SqlUnitOfWork
from tests.integration.builders import T0, Catalog, new_order, store_order
from tests.scenes import move_order

Uows = Callable[[], SqlUnitOfWork]
S = OrderStatus


async def test_riders_counts_free_and_busy_riders_and_the_orders_waiting_for_one(
    uow_factory: Uows, catalog: Catalog
) -> None:
    async with uow_factory() as uow:
        for pid, status, online in ((1, PartnerStatus.APPROVED, True),
                                    (2, PartnerStatus.APPROVED, True),
                                    (3, PartnerStatus.APPROVED, False),
                                    (4, PartnerStatus.PENDING, True)):
            await uow.partners.save(Partner(UserId(pid), f"Rider {pid}", status, online))
        await uow.commit()
    waiting = [await store_order(uow_factory, new_order(catalog, T0, key=f"k{n}"))
               for n in range(3)]  # CREATED for now, then CONFIRMED, PREPARING
    later = await store_order(uow_factory, replace(
        new_order(catalog, T0, key="later"), scheduled_for=T0.replace(hour=20)))
    taken = await store_order(uow_factory, new_order(catalog, T0, key="taken"))
    async with uow_factory() as uow:
        await move_order(uow.session, waiting[1].id, S.CONFIRMED, at=T0)
        await move_order(uow.session, waiting[2].id, S.CONFIRMED, S.PREPARING, at=T0)
        await move_order(uow.session, taken.id, S.CONFIRMED, S.PREPARING, at=T0,
                         partner=UserId(2))
        await uow.commit()

    async with uow_factory() as uow:
        riders = await uow.partners.riders()

    # rider 1 free, rider 2 on `taken`; 3 offline, 4 not approved; `later` waits for its slot
    assert riders == Riders(free=1, busy=1, waiting=3)
    assert later.scheduled_for is not None
