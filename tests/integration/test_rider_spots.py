"""The rider on the map on the real database (domain.rider_map): a spot is taken only from
the partner of an order out for delivery; each map is worked by one instance at a time; a map
whose order ended is stopped once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from domain.ids import UserId
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.rider_map import EDIT_EVERY_S, MapStep
from domain.services.rider_maps import Moved, RiderMaps
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, T0, Catalog, FixedClock, new_order, store_order
from tests.scenes import move_order

Uows = Callable[[], SqlUnitOfWork]
S = OrderStatus
RIDER, OTHER = UserId(7001), UserId(7002)


async def riding(uows: Uows, catalog: Catalog, *moves: OrderStatus) -> int:
    """An order held by RIDER, moved through `moves`; OTHER is an idle partner."""
    async with uows() as uow:
        for pid in (RIDER, OTHER):
            await uow.partners.save(Partner(pid, "Ravi", PartnerStatus.APPROVED, True))
        await uow.commit()
    order = await store_order(uows, new_order(catalog, T0))
    async with uows() as uow:
        await move_order(uow.session, order.id, S.CONFIRMED, S.PREPARING, *moves, at=T0,
                         partner=RIDER)
        await uow.commit()
    return order.id


async def test_only_the_rider_of_an_order_on_its_way_is_relayed_to_its_customer(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    order_id = await riding(uow_factory, catalog)
    maps = RiderMaps(uow_factory, clock)
    assert await maps.rider_moved(RIDER, 12.97, 77.59) is Moved.NOT_ON_THE_WAY  # preparing
    assert await maps.rider_moved(CUSTOMER, 12.97, 77.59) is Moved.NOT_A_PARTNER
    async with uow_factory() as uow:
        await move_order(uow.session, order_id, S.OUT_FOR_DELIVERY, at=T0)
        await uow.commit()
    assert await maps.rider_moved(OTHER, 12.97, 77.59) is Moved.NOT_ON_THE_WAY  # not theirs
    assert await maps.rider_moved(RIDER, 91.0, 77.59) is Moved.NOT_ON_THE_WAY  # no such place
    assert await maps.rider_moved(RIDER, 12.97, 77.59) is Moved.RELAYED

    work, _ = await maps.due()
    assert [(spot.order_id, spot.chat_id, step) for spot, step in work] == [
        (order_id, CUSTOMER, MapStep.SHOW)]


async def test_each_map_is_worked_by_one_instance_and_stopped_once_its_order_ends(
    uow_factory: Uows, catalog: Catalog, clock: FixedClock
) -> None:
    order_id = await riding(uow_factory, catalog, S.OUT_FOR_DELIVERY)
    here, there = RiderMaps(uow_factory, clock), RiderMaps(uow_factory, clock)
    await here.rider_moved(RIDER, 12.97, 77.59)
    (spot, _), = (await here.due())[0]
    assert (await there.due())[0] == []  # claimed by the first instance
    await here.shown(spot, 70)
    await here.rider_moved(RIDER, 12.98, 77.60)
    assert (await there.due())[0] == []  # moved within the pace: not yet
    clock.advance(seconds=EDIT_EVERY_S)
    [(moved, step)] = (await there.due())[0]
    assert (step, moved.message_id, moved.latitude) == (MapStep.MOVE, 70, 12.98)
    await there.shown(moved, 70)

    async with uow_factory() as uow:
        await move_order(uow.session, order_id, S.DELIVERED, at=T0 + timedelta(minutes=9))
        await uow.commit()
    [(ended, step)] = (await here.due())[0]
    assert step is MapStep.STOP
    await here.stopped(ended)
    assert await here.due() == ([], None)  # nothing live any more
    assert await here.rider_moved(RIDER, 12.99, 77.61) is Moved.NOT_ON_THE_WAY
