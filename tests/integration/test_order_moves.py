"""Order moves written by the pipeline's guarded write become the order's history; a move
decided on a state that changed meanwhile is refused whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from domain.dispatch import PartnerPool
from domain.ids import OrderId, TaskId, UserId
from domain.messages import Kind
from domain.orders import Actor, ActorKind, OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.pipeline.model import Effects, LineView, OrderView, PipelineConfig, Snapshot, TaskRun
from domain.pipeline.presses import cancelled_by
from domain.pipeline.steps import confirm_order
from domain.retry import RetryPolicy
from domain.tasks import TaskKind
from storage.pipeline.sql import OFFERS
from storage.pipeline.store import SqlPipelineTx
from storage.sql import OUTBOX
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


async def seen(uows: Uows, order_id: OrderId) -> OrderView:
    """The order as the pipeline reads it before it decides."""
    async with uows() as uow:
        return (await SqlPipelineTx(uow.session).orders({order_id}))[order_id]


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
    view = await seen(uow_factory, order.id)
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
    before = await seen(uow_factory, order.id)
    async with uow_factory() as uow:  # meanwhile the partner's accept commits
        await move_order(uow.session, order.id, partner=PARTNER)
        await uow.commit()

    cancel = cancelled_by(before, catalog.restaurant, Actor(ActorKind.ADMIN, 9), T0, "why")
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


def confirmed_and_offered(catalog: Catalog, order: OrderView, partners: list[Partner]) -> Effects:
    """What the worker's confirm step decides for an order of a kitchen without a manager:
    both moves and the offer to the first of `partners`, in one step."""
    kitchen = replace(catalog.restaurant, manager_chat_id=None)
    snap = Snapshot(T0, PipelineConfig(), RetryPolicy(), {order.id: order}, {kitchen.id: kitchen},
                    lines={order.id: (LineView("Pizza", 2, True),)}, pool=PartnerPool(partners))
    step = confirm_order(TaskRun(TaskId(1), TaskKind.CONFIRM_ORDER, order.id, {}, 1, 0.5), snap)
    assert step.effects is not None and step.effects.moves and step.effects.new_offer
    return step.effects


async def offers_of(uows: Uows, order_id: OrderId) -> list[tuple[int, str]]:
    async with uows() as uow:
        rows = await uow.session.execute(
            select(OFFERS.c.partner_id, OFFERS.c.state).where(OFFERS.c.order_id == order_id))
        return [(row[0], row[1]) for row in rows]


async def test_an_offer_made_with_a_move_that_is_refused_is_taken_back(
    uow_factory: Uows, catalog: Catalog
) -> None:
    await add_partner(uow_factory)
    order = await store_order(uow_factory, new_order(catalog, T0))
    before = await seen(uow_factory, order.id)
    async with uow_factory() as uow:  # meanwhile the customer cancels
        await move_order(uow.session, order.id, S.CANCELLED, at=T0)
        await uow.commit()
    async with uow_factory() as uow:
        partner = await uow.partners.get(PARTNER)
    assert partner is not None

    effects = confirmed_and_offered(catalog, before, [partner])
    async with uow_factory() as uow:
        assert await SqlPipelineTx(uow.session).apply([effects], T0) == {order.id}
        await uow.commit()

    assert await offers_of(uow_factory, order.id) == []  # never offered a cancelled order
    async with uow_factory() as uow:
        history = await uow.orders.history(order.id)
    assert [e.to_status for e in history] == [S.CREATED, S.CANCELLED]


async def test_a_confirmed_order_whose_offer_cannot_be_made_does_not_move(
    uow_factory: Uows, catalog: Catalog
) -> None:
    """Another worker offered the same partner another order first (PostgreSQL: two workers
    read the same free partner): this order stays as it was, whole, for its step to run again;
    it is not left moved without its history and messages."""
    await add_partner(uow_factory)
    first = await store_order(uow_factory, new_order(catalog, T0, key="first"))
    second = await store_order(uow_factory, new_order(catalog, T0, key="second"))
    views = {first.id: await seen(uow_factory, first.id),
             second.id: await seen(uow_factory, second.id)}
    async with uow_factory() as uow:
        partner = await uow.partners.get(PARTNER)
    assert partner is not None

    async with uow_factory() as uow:
        tx = SqlPipelineTx(uow.session)
        assert await tx.apply([confirmed_and_offered(catalog, views[first.id], [partner])],
                              T0) == set()
        await uow.commit()
    async with uow_factory() as uow:
        tx = SqlPipelineTx(uow.session)
        assert await tx.apply([confirmed_and_offered(catalog, views[second.id], [partner])],
                              T0) == {second.id}
        await uow.commit()

    assert await offers_of(uow_factory, first.id) == [(PARTNER, "open")]
    assert await offers_of(uow_factory, second.id) == []
    async with uow_factory() as uow:
        firsts = await uow.orders.history(first.id)
        seconds = await uow.orders.history(second.id)
        stored = await uow.orders.get(second.id)
        edits = (await uow.session.execute(
            select(OUTBOX.c.payload).where(OUTBOX.c.kind == Kind.ORDER_STATUS.value))).all()
    assert [e.to_status for e in firsts] == [S.CREATED, S.CONFIRMED, S.PREPARING]
    assert stored is not None and stored.status == S.CREATED
    assert [e.to_status for e in seconds] == [S.CREATED]
    assert [row[0]["order_id"] for row in edits] == [first.id]  # one edit, the first's
