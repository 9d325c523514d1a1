"""Order moves saved through the repository become the order's history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from domain.ids import UserId
from domain.orders import Actor, ActorKind, OrderStatus
from domain.partners import Partner, PartnerStatus
from storage.order_repository import StaleOrder
from storage.uow import SqlUnitOfWork
from tests.integration.builders import T0, Catalog, new_order, store_order

Uows = Callable[[], SqlUnitOfWork]
S = OrderStatus
PARTNER = UserId(8_000_000_001)


async def add_partner(uows: Uows) -> None:
    async with uows() as uow:
        await uow.partners.save(Partner(PARTNER, "Kiran", PartnerStatus.APPROVED, online=True))
        await uow.commit()


async def test_saved_moves_append_events_and_history_comes_oldest_first(
    uow_factory: Uows, catalog: Catalog
) -> None:
    await add_partner(uow_factory)
    order = await store_order(uow_factory, new_order(catalog, T0))
    restaurant = Actor(ActorKind.RESTAURANT, catalog.restaurant.id)
    async with uow_factory() as uow:
        loaded = await uow.orders.get(order.id)
        assert loaded is not None
        loaded.advance(S.CONFIRMED, at=T0 + timedelta(minutes=1), actor=restaurant)
        loaded.advance(S.PREPARING, at=T0 + timedelta(minutes=2), actor=restaurant)
        loaded.assign_partner(PARTNER)
        await uow.orders.save(loaded)
        await uow.commit()
    assert loaded.new_events == []
    async with uow_factory() as uow:
        loaded = await uow.orders.get(order.id)
        assert loaded is not None
        assert loaded.advance(S.PREPARING, at=T0 + timedelta(minutes=3)) is None  # no-op
        loaded.advance(S.OUT_FOR_DELIVERY, at=T0 + timedelta(minutes=4),
                       actor=Actor(ActorKind.PARTNER, PARTNER))
        await uow.orders.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
        history = await uow.orders.history(order.id)
    assert stored == loaded
    assert stored is not None
    assert (stored.status, stored.partner_id) == (S.OUT_FOR_DELIVERY, PARTNER)
    assert stored.updated_at == T0 + timedelta(minutes=4)
    assert [(e.from_status, e.to_status) for e in history] == [
        (None, S.CREATED),
        (S.CREATED, S.CONFIRMED),
        (S.CONFIRMED, S.PREPARING),
        (S.PREPARING, S.OUT_FOR_DELIVERY),
    ]
    assert [str(e.actor) for e in history] == [
        "customer:1001", f"restaurant:{catalog.restaurant.id}",
        f"restaurant:{catalog.restaurant.id}", f"partner:{PARTNER}",
    ]
    assert [e.at for e in history] == sorted(e.at for e in history)


async def test_of_two_racing_moves_only_one_is_recorded(
    uow_factory: Uows, catalog: Catalog
) -> None:
    order = await store_order(uow_factory, new_order(catalog, T0))
    async with uow_factory() as first, uow_factory() as second:
        mine = await first.orders.get(order.id)
        theirs = await second.orders.get(order.id)
        assert mine is not None and theirs is not None
        mine.advance(S.CONFIRMED, at=T0)
        await first.orders.save(mine)
        await first.commit()
        theirs.cancel(at=T0, actor=Actor(ActorKind.CUSTOMER, order.customer_id))
        with pytest.raises(StaleOrder):
            await second.orders.save(theirs)
    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
        history = await uow.orders.history(order.id)
    assert stored is not None
    assert stored.status == S.CONFIRMED
    assert [e.to_status for e in history] == [S.CREATED, S.CONFIRMED]


async def test_a_cancel_racing_a_partner_assignment_never_drops_the_partner(
    uow_factory: Uows, catalog: Catalog
) -> None:
    await add_partner(uow_factory)
    order = await store_order(uow_factory, new_order(catalog, T0))
    async with uow_factory() as uow:
        confirmed = await uow.orders.get(order.id)
        assert confirmed is not None
        confirmed.advance(S.CONFIRMED, at=T0)
        await uow.orders.save(confirmed)
        await uow.commit()
    async with uow_factory() as dispatcher, uow_factory() as customer:
        assigning = await dispatcher.orders.get(order.id)
        cancelling = await customer.orders.get(order.id)
        assert assigning is not None and cancelling is not None
        assigning.assign_partner(PARTNER)
        await dispatcher.orders.save(assigning)
        await dispatcher.commit()
        cancelling.cancel(at=T0, actor=Actor(ActorKind.CUSTOMER, order.customer_id))
        with pytest.raises(StaleOrder):
            await customer.orders.save(cancelling)
    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None
    assert (stored.status, stored.partner_id) == (S.CONFIRMED, PARTNER)
