"""An order's whole journey through the pipeline, driven as partners and managers would."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.errors import IllegalTransition, NotAllowed, NotReady, OfferExpired
from domain.messages import Kind
from domain.orders import Actor, ActorKind, OrderStatus
from tests.integration.builders import T0, FixedClock
from tests.integration.pipeline_kit import (
    ADMINS,
    CUSTOMER,
    MANAGER_CHAT,
    open_kitchen,
)

S = OrderStatus
Sessions = async_sessionmaker[AsyncSession]


async def test_an_order_goes_from_created_to_delivered_once_with_a_partner(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock, prep_minutes=15)
    first, second = await kitchen.add_partners(2)
    order_id = await kitchen.place()
    worker, desk = kitchen.worker(), kitchen.actions

    report = await worker.run_once(T0)  # confirms, then offers in the same step
    assert (report.batches, report.claimed, report.moves) == (1, 1, 2)
    assert await kitchen.order(order_id) == (S.PREPARING, None)
    [offer] = [m for m in await kitchen.outbox() if m["kind"] == Kind.OFFER]
    assert offer["chat"] == first  # idle longest
    assert offer["order_id"] == order_id and offer["address"].startswith("12 Residency")

    clock.advance(seconds=20)
    assignment = await desk.accept_offer(order_id, first)
    assert (assignment.partner_id, assignment.restaurant) == (first, "Meghana Foods")
    assert assignment.ready_at == T0 + timedelta(minutes=15)
    assert await desk.accept_offer(order_id, first) == assignment  # a double tap
    with pytest.raises(NotReady):
        await desk.picked_up(order_id, first)
    with pytest.raises(NotAllowed):
        await desk.picked_up(order_id, second)

    clock.advance(minutes=15)
    await desk.picked_up(order_id, first)
    await desk.picked_up(order_id, first)  # a replay changes nothing
    clock.advance(minutes=12)
    await desk.delivered(order_id, first)
    await desk.delivered(order_id, first)
    assert (await worker.run_once(clock.now())).claimed == 0  # its task finished at accept

    assert await kitchen.statuses(order_id) == [
        S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED,
    ]
    history = await kitchen.history(order_id)
    assert [str(e.actor) for e in history[3:]] == [f"partner:{first}"] * 2
    assert await kitchen.order(order_id) == (S.DELIVERED, first)
    assert await kitchen.partner(first) == (None, clock.now())  # free, idle from delivery
    assert await kitchen.kinds(CUSTOMER) == Counter({
        Kind.ORDER_STATUS: 2, Kind.OUT_FOR_DELIVERY: 1, Kind.DELIVERED: 1,
    })  # edits: confirmed and preparing (one step), the partner's name; on its way and
    # delivered send the tracking message anew, with no edit beside them
    assert await kitchen.kinds(first) == Counter({Kind.OFFER: 1})  # its map link: no pin
    assert await kitchen.kinds() == await kitchen.kinds(CUSTOMER) + await kitchen.kinds(first)
    assert {t["state"] for t in await kitchen.tasks()} == {"done"}


async def test_a_restaurant_with_a_manager_accepts_prepares_and_marks_ready(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock, manager=MANAGER_CHAT)
    [rider] = await kitchen.add_partners(1)
    order_id = await kitchen.place(quantity=2)
    worker, desk = kitchen.worker(), kitchen.actions

    await worker.run_once(T0)
    assert await kitchen.order(order_id) == (S.CONFIRMED, None)
    [ticket] = [m for m in await kitchen.outbox() if m["chat"] == MANAGER_CHAT]
    assert ticket["kind"] == Kind.RESTAURANT_TICKET
    [dosa] = ticket["items"]  # with its dish on the menu, for the kitchen's sold-out button
    assert (dosa["name"], dosa["quantity"]) == ("Ghee Roast Dosa", 2) and dosa["item_id"] > 0
    assert await kitchen.kinds(rider) == Counter()  # no partner before the kitchen says yes

    with pytest.raises(NotAllowed):
        await desk.restaurant_accept(order_id, -1)  # another chat
    with pytest.raises(NotAllowed):
        await desk.restaurant_ready(order_id, MANAGER_CHAT)  # not accepted yet
    clock.advance(minutes=1)
    await desk.restaurant_accept(order_id, MANAGER_CHAT)
    await desk.restaurant_accept(order_id, MANAGER_CHAT)  # a double tap
    assert await kitchen.order(order_id) == (S.PREPARING, None)

    await worker.run_once(clock.now())
    await desk.accept_offer(order_id, rider)
    with pytest.raises(NotReady):
        await desk.picked_up(order_id, rider)
    clock.advance(minutes=9)
    await desk.restaurant_ready(order_id, MANAGER_CHAT)
    await desk.restaurant_ready(order_id, MANAGER_CHAT)
    await desk.picked_up(order_id, rider)
    with pytest.raises(IllegalTransition):
        await desk.restaurant_reject(order_id, MANAGER_CHAT, "too late")
    await desk.delivered(order_id, rider)

    history = await kitchen.history(order_id)
    assert [e.to_status for e in history] == [
        S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED,
    ]
    assert str(history[2].actor) == f"restaurant:{kitchen.restaurant.id}"
    assert await kitchen.kinds(rider) == Counter({Kind.OFFER: 1, Kind.ORDER_READY: 1})
    assert await kitchen.kinds(MANAGER_CHAT) == Counter({Kind.RESTAURANT_TICKET: 1})


async def test_a_closed_restaurant_cancels_the_order_and_says_why(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock, is_open=False)
    order_id = await kitchen.place()

    await kitchen.worker().run_once(T0)

    assert await kitchen.statuses(order_id) == [S.CREATED, S.CANCELLED]
    [status, cancelled] = await kitchen.outbox()
    assert (status["kind"], status["status"]) == (Kind.ORDER_STATUS, "CANCELLED")
    assert cancelled == {
        "chat": CUSTOMER, "kind": Kind.ORDER_CANCELLED, "order_id": order_id,
        "reason": "Meghana Foods is closed",
    }


async def test_a_dish_gone_from_the_menu_cancels_the_order_naming_it(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(
        session_factory, clock,
        dishes=[("Chicken Biryani", 32000, True), ("Mutton Biryani", 42000, False)],
    )
    order_id = await kitchen.place()

    await kitchen.worker().run_once(T0)

    [event] = (await kitchen.history(order_id))[1:]
    assert (event.to_status, event.reason) == (S.CANCELLED, "no longer available: Mutton Biryani")


async def test_a_restaurant_reject_cancels_and_frees_the_partner(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock, manager=MANAGER_CHAT)
    [rider] = await kitchen.add_partners(1)
    order_id = await kitchen.place()
    worker, desk = kitchen.worker(), kitchen.actions
    await worker.run_once(T0)
    await desk.restaurant_accept(order_id, MANAGER_CHAT)
    await worker.run_once(T0)
    await desk.accept_offer(order_id, rider)

    await desk.restaurant_reject(order_id, MANAGER_CHAT, "out of rice")
    await desk.restaurant_reject(order_id, MANAGER_CHAT, "out of rice")

    assert await kitchen.order(order_id) == (S.CANCELLED, rider)
    assert (await kitchen.partner(rider))[0] is None
    cancellations = [m for m in await kitchen.outbox() if m["kind"] == Kind.ORDER_CANCELLED]
    assert [(m["chat"], m["reason"]) for m in cancellations] == [
        (CUSTOMER, "out of rice"), (rider, "out of rice"),
    ]
    assert not ADMINS & {m["chat"] for m in await kitchen.outbox()}


async def test_an_admin_cancel_frees_the_partner_and_withdraws_the_offer(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock, manager=MANAGER_CHAT)
    first, second = await kitchen.add_partners(2)
    taken, offered = await kitchen.place(), await kitchen.place()
    worker, desk = kitchen.worker(), kitchen.actions
    await worker.run_once(T0)
    for order_id in (taken, offered):
        await desk.restaurant_accept(order_id, MANAGER_CHAT)
    await worker.run_once(T0)
    await desk.accept_offer(taken, first)
    admin = Actor(ActorKind.ADMIN, min(ADMINS))

    await desk.cancel_order(taken, admin, "customer unreachable")
    await desk.cancel_order(offered, admin, "duplicate")
    await desk.cancel_order(offered, admin, "duplicate")  # a double tap

    assert await kitchen.order(taken) == (S.CANCELLED, first)
    assert (await kitchen.partner(first))[0] is None
    assert await kitchen.offers(offered) == [(second, "withdrawn")]
    with pytest.raises(OfferExpired):
        await desk.accept_offer(offered, second)
    told = [(m["chat"], m["order_id"]) for m in await kitchen.outbox()
            if m["kind"] == Kind.ORDER_CANCELLED]
    assert told == [
        (CUSTOMER, taken), (first, taken), (MANAGER_CHAT, taken),
        (CUSTOMER, offered), (MANAGER_CHAT, offered),
    ]
    before = await kitchen.outbox()
    await desk.cancel_order(taken, Actor(ActorKind.CUSTOMER, CUSTOMER), "")  # over already
    assert await kitchen.outbox() == before
