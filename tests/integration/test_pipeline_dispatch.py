"""Dispatch (DESIGN.md §5): one offer at a time, atomic accepts, expiry, decline, nobody free."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.errors import DomainError, NotOffered, OfferExpired, PartnerBusy
from domain.ids import OrderId, UserId
from domain.messages import Kind
from domain.orders import OrderStatus
from domain.pipeline.presses import Assignment
from domain.pipeline.stale import OrderNow
from storage.pipeline.assign import take
from storage.pipeline.outbox import Pacing, SqlMessageOutbox
from storage.pipeline.sql import OFFERS
from tests.integration.builders import T0, FixedClock
from tests.integration.pipeline_kit import ADMINS, CONFIG, CUSTOMER, open_kitchen

S = OrderStatus
Sessions = async_sessionmaker[AsyncSession]
TIMEOUT = timedelta(seconds=CONFIG.offer_timeout_s)


async def test_twenty_partners_pressing_accept_at_once_leave_one_winner(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    riders = await kitchen.add_partners(20)
    order_id = await kitchen.place()
    worker = kitchen.worker()
    await worker.run_once(T0)
    assert await kitchen.offers(order_id) == [(riders[0], "open")]

    presses = [*riders, *[riders[0]] * 5]  # everyone, and the offered one tapping again
    results = await asyncio.gather(
        *(kitchen.actions.accept_offer(order_id, rider) for rider in presses),
        return_exceptions=True,
    )

    wins = [r for r in results if isinstance(r, Assignment)]
    assert len(wins) == 6  # the first press won; its repeats return the same assignment
    assert {(w.order_id, w.partner_id) for w in wins} == {(order_id, riders[0])}
    refusals = [r for r in results if not isinstance(r, Assignment)]
    assert len(refusals) == 19 and all(isinstance(r, NotOffered) for r in refusals)
    assert all(isinstance(r, DomainError) and r.code == "not_offered" for r in refusals)
    assert await kitchen.order(order_id) == (S.PREPARING, riders[0])
    assert await kitchen.kinds(CUSTOMER) == Counter({
        Kind.ORDER_STATUS: 2,  # confirmed and preparing (one edit), then the winner's name
    })

    second = await kitchen.place()
    await worker.run_once(T0)
    assert await kitchen.offers(second) == [(riders[1], "open")]  # never the busy winner


async def test_an_accept_racing_the_offers_expiry_is_one_or_the_other(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    riders = await kitchen.add_partners(12)
    worker, desk = kitchen.worker(), kitchen.actions
    outcomes = Counter()
    for round_ in range(6):
        order_id = await kitchen.place()
        await worker.run_once(clock.now())
        [(first, _)] = await kitchen.offers(order_id)
        expiry = clock.now() + TIMEOUT
        clock.at = expiry - timedelta(microseconds=1)  # the press is just in time

        racers = [worker.run_once(expiry), desk.accept_offer(order_id, first)]
        if round_ % 2:
            racers.reverse()  # either may start first
        results = await asyncio.gather(*racers, return_exceptions=True)
        taken = results[1 - round_ % 2]

        offers = await kitchen.offers(order_id)
        if isinstance(taken, Assignment):
            assert offers == [(first, "accepted")]
            assert await kitchen.order(order_id) == (S.PREPARING, first)
        else:
            assert isinstance(taken, OfferExpired)
            assert [state for _, state in offers] == ["expired", "open"]
            assert await kitchen.order(order_id) == (S.PREPARING, None)
        outcomes[type(taken).__name__] += 1
        clock.at = expiry
    assert sum(outcomes.values()) == 6
    busy = [await kitchen.partner(rider) for rider in riders]
    assert sum(active is not None for active, _ in busy) == outcomes["Assignment"]


async def test_the_atomic_take_never_gives_a_busy_partner_a_second_order(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    [rider] = await kitchen.add_partners(1)
    first, second = await kitchen.place(), await kitchen.place()
    await kitchen.worker().run_once(T0)
    await kitchen.actions.accept_offer(first, rider)
    async with session_factory() as session, session.begin():  # a stray offer, as if by a bug
        await session.execute(OFFERS.insert().values(
            order_id=second, partner_id=rider, state="open", offered_at=T0,
            expires_at=T0 + TIMEOUT,
        ))

    async def press() -> set[tuple[OrderId, UserId]]:
        async with session_factory() as session, session.begin():
            return await take(session, [(second, rider)], T0)

    assert await asyncio.gather(*(press() for _ in range(10))) == [set()] * 10
    assert await kitchen.order(second) == (S.PREPARING, None)  # nothing half done
    assert await kitchen.offers(second) == [(rider, "open")]
    assert (await kitchen.partner(rider))[0] == first
    with pytest.raises(PartnerBusy):
        await kitchen.actions.accept_offer(second, rider)


async def test_an_offer_nobody_answers_moves_to_the_next_partner(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    slow, keen = await kitchen.add_partners(2)
    order_id = await kitchen.place()
    worker = kitchen.worker()
    await worker.run_once(T0)

    assert (await worker.run_once(T0 + TIMEOUT / 2)).claimed == 0
    clock.advance(seconds=CONFIG.offer_timeout_s)
    await worker.run_once(clock.now())

    assert await kitchen.offers(order_id) == [(slow, "expired"), (keen, "open")]
    assert await kitchen.kinds(slow) == Counter({Kind.OFFER: 1, Kind.OFFER_EXPIRED: 1})
    with pytest.raises(OfferExpired):
        await kitchen.actions.accept_offer(order_id, slow)
    assert (await kitchen.actions.accept_offer(order_id, keen)).partner_id == keen


async def test_a_decline_moves_to_the_next_partner_at_once(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    picky, keen, spare = await kitchen.add_partners(3)
    order_id = await kitchen.place()
    worker, desk = kitchen.worker(), kitchen.actions
    await worker.run_once(T0)

    clock.advance(seconds=5)
    await desk.decline_offer(order_id, picky)
    await desk.decline_offer(order_id, picky)  # a double tap
    with pytest.raises(NotOffered):
        await desk.decline_offer(order_id, spare)
    await worker.run_once(clock.now())

    assert await kitchen.offers(order_id) == [(picky, "declined"), (keen, "open")]
    with pytest.raises(OfferExpired):
        await desk.accept_offer(order_id, picky)
    await desk.decline_offer(order_id, keen)
    await worker.run_once(clock.now())
    assert [p for p, _ in await kitchen.offers(order_id)] == [picky, keen, spare]


async def test_with_nobody_free_the_customer_is_told_once_and_admins_past_the_threshold(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    [rider] = await kitchen.add_partners(1, online=False)
    order_id = await kitchen.place()
    worker = kitchen.worker()

    ticks = 0
    while clock.now() < T0 + timedelta(seconds=CONFIG.no_partner_alert_after_s + 60):
        ticks += (await worker.run_once(clock.now())).claimed
        clock.advance(seconds=1)
    [task] = await kitchen.tasks()
    delays = task["payload"]["round"]

    assert 10 < ticks < 40  # backing off: 1 s, 2 s, 4 s ... up to 30 s apart, not every tick
    assert delays == ticks  # the confirming step made the first look
    assert await kitchen.kinds(CUSTOMER) == Counter({
        Kind.ORDER_STATUS: 1, Kind.FINDING_PARTNER: 2,  # once at first, once past the alert
    })
    alerts = [m for m in await kitchen.outbox() if m["kind"] == Kind.ADMIN_ALERT]
    assert sorted(m["chat"] for m in alerts) == sorted(ADMINS)
    assert {(m["reason"], m["waited_s"]) for m in alerts} == {("no_partner", 300)}

    clock.at = task["run_at"]
    await worker.run_once(clock.now())  # looks again, and waits up to 30 s more
    await kitchen.set_online(rider, True)
    assert await kitchen.actions.wake_dispatch() == 1
    await worker.run_once(clock.now())
    assert await kitchen.offers(order_id) == [(rider, "open")]


async def test_a_partner_on_an_order_is_offered_nothing_else(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock, prep_minutes=0)
    [rider] = await kitchen.add_partners(1)
    first, second = await kitchen.place(), await kitchen.place()
    worker, desk = kitchen.worker(), kitchen.actions
    await worker.run_once(T0)
    await desk.accept_offer(first, rider)

    await worker.run_once(T0 + timedelta(seconds=1))
    assert await kitchen.offers(second) == []
    with pytest.raises(NotOffered):
        await desk.accept_offer(second, UserId(rider))

    await desk.picked_up(first, rider)
    await desk.delivered(first, rider)  # frees the partner and wakes the waiting order
    await worker.run_once(T0 + timedelta(seconds=1))
    assert await kitchen.offers(second) == [(rider, "open")]


async def test_an_approved_partner_who_went_offline_cannot_accept(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    [rider] = await kitchen.add_partners(1)
    order_id = await kitchen.place()
    await kitchen.worker().run_once(T0)
    await kitchen.set_online(rider, False)

    with pytest.raises(DomainError, match="go online"):
        await kitchen.actions.accept_offer(order_id, rider)
    assert await kitchen.order(order_id) == (S.PREPARING, None)
    assert await kitchen.offers(order_id) == [(rider, "open")]
    await kitchen.set_online(rider, True)
    assert (await kitchen.actions.accept_offer(order_id, rider)).partner_id == rider


async def test_the_sender_sees_each_order_as_it_is_now_with_its_open_offer(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    [rider, other] = await kitchen.add_partners(2)
    offered, taken = await kitchen.place(), await kitchen.place()
    await kitchen.worker().run_once(T0)
    await kitchen.actions.accept_offer(taken, other)
    outbox = SqlMessageOutbox(session_factory, "sender", Pacing())

    orders = await outbox.orders_now([offered, taken, OrderId(999_999)])

    assert orders == {
        offered: OrderNow(S.PREPARING, None, frozenset({rider})),
        taken: OrderNow(S.PREPARING, other, frozenset()),
    }
