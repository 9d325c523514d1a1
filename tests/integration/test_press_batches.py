"""Presses made at the same moment share a transaction (domain.group_commit), on the real
databases: many partners pressing at once, with double taps and presses that may not go
ahead mixed in, leave every order moved once and every message written once."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.errors import NotAllowed, NotOffered
from domain.messages import Kind
from domain.orders import OrderStatus
from domain.pipeline.presses import Assignment
from tests.integration.builders import T0, FixedClock
from tests.integration.pipeline_kit import CUSTOMER, open_kitchen

S = OrderStatus
Sessions = async_sessionmaker[AsyncSession]


async def test_partners_pressing_at_once_move_each_order_once(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock, prep_minutes=10)
    riders = await kitchen.add_partners(6)
    orders = [await kitchen.place() for _ in range(5)]
    await kitchen.worker().run_once(T0)
    offered = {o: rider for o in orders for rider, state in await kitchen.offers(o)
               if state == "open"}
    assert len(set(offered.values())) == 5  # each order offered to a partner of its own
    presses = kitchen.actions  # one instance, as the bot has: its presses share a line

    accepts = [(o, r) for o, r in offered.items()]
    accepts += [accepts[0], accepts[0], (orders[0], offered[orders[1]])]  # taps, a wrong order
    results = await asyncio.gather(
        *(presses.accept_offer(o, r) for o, r in accepts), return_exceptions=True)

    assert all(isinstance(a, Assignment) for a in results[:7])
    assert [(a.order_id, a.partner_id) for a in results[:7]] == [  # type: ignore[union-attr]
        *offered.items(), accepts[0], accepts[0]]
    assert isinstance(results[7], NotOffered)
    assert [await kitchen.order(o) for o in orders] == [(S.PREPARING, offered[o]) for o in orders]

    clock.advance(minutes=10)
    await asyncio.gather(*(presses.picked_up(o, offered[o]) for o in orders))
    stranger = next(r for r in riders if r not in offered.values())
    results = await asyncio.gather(
        *(presses.delivered(o, offered[o]) for o in orders),
        presses.delivered(orders[2], offered[orders[2]]),  # a double tap
        presses.delivered(orders[3], stranger),  # not theirs
        return_exceptions=True,
    )

    assert results[:6] == [None] * 6 and isinstance(results[6], NotAllowed)
    for o in orders:
        assert await kitchen.statuses(o) == [
            S.CREATED, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED]
    assert [(await kitchen.partner(r))[0] for r in riders] == [None] * 6  # all free again
    told = await kitchen.kinds(CUSTOMER)
    # each order's tracking message: edited when confirmed and being prepared (one step) and
    # for the partner's name; sent anew on its way and delivered (no edit beside those)
    assert (told[Kind.ORDER_STATUS], told[Kind.OUT_FOR_DELIVERY], told[Kind.DELIVERED]) == (
        10, 5, 5)
