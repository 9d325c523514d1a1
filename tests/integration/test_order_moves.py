"""Order moves written by the pipeline's guarded write become the order's history; a move
decided on a state that changed meanwhile is refused whole."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from domain.ids import UserId
from domain.orders import Actor, ActorKind, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import Effects
from domain.pipeline.presses import cancelled_by
from storage.pipeline.store import SqlPipelineTx
from storage.uow import SqlUnitOfWork
from tests.integration.builders import T0, Catalog, new_order, store_order
from tests.scenes import move_order

Uows = Callable[[], SqlUnitOfWork]
S = OrderStatus
PARTNER = UserId(8_000_000_001)


async def add_partner(uows: Uows) -> None:
    async with uows() as uow:
        await uow.partners.save(Partner(PARTNER, "Kiran", PartnerStatus.APPROVED, online=True))
        await uow.commit()


async def test_written_moves_append_events_and_history_comes_oldest_first(
    uow_factory: Uows, catalog: Catalog
) -> None:
    await add_partner(uow_factory)
    order = await store_order(uow_factory, new_order(catalog, T0))
    restaurant = Actor(ActorKind.RESTAURANT, catalog.restaurant.id)
    async with uow_factory() as uow:
        await move_order(uow.session, order.id, S.CONFIRMED, at=T0 + timedelta(minutes=1),
                         actor=restaurant)
        await move_order(uow.session, order.id, S.PREPARING, at=T0 + timedelta(minutes=2),
                         actor=restaurant, partner=PARTNER)
        await uow.commit()
    async with uow_factory() as uow:
        await move_order(uow.session, order.id, S.PREPARING, at=T0 + timedelta(minutes=3))
        await move_order(uow.session, order.id, S.OUT_FOR_DELIVERY,
                         at=T0 + timedelta(minutes=4), actor=Actor(ActorKind.PARTNER, PARTNER))
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
        history = await uow.orders.history(order.id)
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
    async with uow_factory() as uow:
        view = (await SqlPipelineTx(uow.session).orders({order.id}))[order.id]
    confirm, cancel = Effects(order.id), Effects(order.id)
    confirm.move(view, S.CONFIRMED, at=T0)
    cancel.move(view, S.CANCELLED, at=T0, actor=Actor(ActorKind.CUSTOMER, order.customer_id))

    async with uow_factory() as uow:
        assert await SqlPipelineTx(uow.session).apply([confirm], T0) == set()
        await uow.commit()
    async with uow_factory() as uow:
        assert await SqlPipelineTx(uow.session).apply([cancel], T0) == {order.id}
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
        history = await uow.orders.history(order.id)
    assert stored is not None
    assert stored.status == S.CONFIRMED
    assert [e.to_status for e in history] == [S.CREATED, S.CONFIRMED]


async def test_a_cancel_decided_before_a_partner_took_the_order_is_refused(
    uow_factory: Uows, catalog: Catalog
) -> None:
    await add_partner(uow_factory)
    order = await store_order(uow_factory, new_order(catalog, T0))
    async with uow_factory() as uow:
        await move_order(uow.session, order.id, S.CONFIRMED, at=T0)
        await uow.commit()
    async with uow_factory() as uow:
        seen = (await SqlPipelineTx(uow.session).orders({order.id}))[order.id]
    async with uow_factory() as uow:  # meanwhile the partner's accept commits
        await move_order(uow.session, order.id, partner=PARTNER)
        await uow.commit()

    cancel = cancelled_by(seen, catalog.restaurant, Actor(ActorKind.ADMIN, 9), T0, "why")
    assert cancel is not None and cancel.release_partner is None  # it saw no partner
    async with uow_factory() as uow:
        assert await SqlPipelineTx(uow.session).apply([cancel], T0) == {order.id}
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
        partner = await uow.partners.get(PARTNER)
    assert stored is not None and partner is not None
    assert (stored.status, stored.partner_id) == (S.CONFIRMED, PARTNER)
    assert partner.active_order_id == order.id  # not left holding a cancelled order
