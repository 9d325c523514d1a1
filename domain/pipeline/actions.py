"""The presses that move orders between queue steps: partners' Accept, Decline, Picked up,
Delivered; the restaurant manager's Accept, Reject, Ready; cancelling by the customer, an
admin or the system (DESIGN.md §1, §2, §5).

Each press reads the order in a transaction, asks the rules in domain.pipeline.presses
whether it may go ahead, and writes the change through the store's guarded writes. A press
whose guard fails lost a race: the state changed since it was read, nothing was written, and
the press is looked at again on fresh data, so it gets the rules' answer on the new state:
never a double move, a double assignment or a second message. A busy database (a deadlock, a
serialization failure) is tried again the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from domain.audit import AuditEntry
from domain.errors import DomainError, StaleOrder
from domain.ids import OrderId, UserId
from domain.orders import Actor
from domain.pipeline.model import Effects, OrderView
from domain.pipeline.ports import PipelineActions, PipelineStore, PipelineTx, StoreError
from domain.pipeline.presses import (
    Assignment,
    assigned,
    cancelled_by,
    check_accept,
    check_decline,
    check_delivery,
    check_pickup,
    delivered,
    found,
    picked_up,
    restaurant_accepts,
    restaurant_ready,
    restaurant_rejects,
)
from domain.ports import Clock
from domain.restaurants import Restaurant

logger = logging.getLogger(__name__)
T = TypeVar("T")
Decide = Callable[[OrderView, Restaurant | None, datetime], Effects | None]


class _LostRace(Exception):
    """A guarded write matched nothing: the state changed since it was read."""


class Presses:
    """Implements PipelineActions on a PipelineStore."""

    def __init__(self, store: PipelineStore, clock: Clock, *, tries: int = 5) -> None:
        self._store = store
        self._clock = clock
        self._tries = tries

    # partners ------------------------------------------------------------------------------

    async def accept_offer(self, order_id: OrderId, partner_id: UserId) -> Assignment:
        """Takes the offered order: exactly one partner wins it; a replay returns it again."""
        return await self._again(order_id, lambda tx: self._accept(tx, order_id, partner_id))

    async def decline_offer(self, order_id: OrderId, partner_id: UserId) -> None:
        """Passes on the offer; it moves on to the next partner at once."""
        await self._again(order_id, lambda tx: self._decline(tx, order_id, partner_id))

    async def picked_up(self, order_id: OrderId, partner_id: UserId) -> None:
        """PREPARING → OUT_FOR_DELIVERY, by the assigned partner, once the order is ready."""
        def decide(order: OrderView, _: Restaurant | None, now: datetime) -> Effects | None:
            return None if check_pickup(order, partner_id, now) else (
                picked_up(order, partner_id, now))

        await self._press(order_id, decide)

    async def delivered(self, order_id: OrderId, partner_id: UserId) -> None:
        """OUT_FOR_DELIVERY → DELIVERED, by the assigned partner, who is free again."""
        def decide(order: OrderView, _: Restaurant | None, now: datetime) -> Effects | None:
            return None if check_delivery(order, partner_id) else (
                delivered(order, partner_id, now))

        await self._press(order_id, decide)

    # restaurant managers -------------------------------------------------------------------

    async def restaurant_accept(self, order_id: OrderId, manager_chat_id: int) -> None:
        """CONFIRMED → PREPARING, pressed in the restaurant's chat; dispatch starts."""
        def decide(order: OrderView, kitchen: Restaurant | None, now: datetime) -> Effects | None:
            return restaurant_accepts(order, _known(kitchen, order), manager_chat_id, now)

        await self._press(order_id, decide)

    async def restaurant_reject(
        self, order_id: OrderId, manager_chat_id: int, reason: str = ""
    ) -> None:
        """CANCELLED by the restaurant; the customer is told why."""
        def decide(order: OrderView, kitchen: Restaurant | None, now: datetime) -> Effects | None:
            return restaurant_rejects(order, _known(kitchen, order), manager_chat_id, now, reason)

        await self._press(order_id, decide)

    async def restaurant_ready(self, order_id: OrderId, manager_chat_id: int) -> None:
        """The order can be picked up from now; the assigned partner is told."""
        def decide(order: OrderView, kitchen: Restaurant | None, now: datetime) -> Effects | None:
            return restaurant_ready(order, _known(kitchen, order), manager_chat_id, now)

        await self._press(order_id, decide)

    # anyone --------------------------------------------------------------------------------

    async def cancel_order(
        self, order_id: OrderId, actor: Actor, reason: str = "", *,
        audit: AuditEntry | None = None,
    ) -> bool:
        """Cancels as `actor` may (customers while CREATED or CONFIRMED, admins until the end):
        a partner is released, open offers withdrawn at once, everyone concerned told. The
        `audit` entry goes in the same transaction as the move, only if this call made it:
        the log never claims a cancel that did not happen nor misses one that did."""
        def decide(order: OrderView, kitchen: Restaurant | None, now: datetime) -> Effects | None:
            return cancelled_by(order, kitchen, actor, now, reason)

        return await self._press(order_id, decide, audit)

    async def wake_dispatch(self, limit: int = 100) -> int:
        """Orders waiting for a free partner look again now (call when one comes online)."""
        now = self._clock.now()
        return await self._again(None, lambda tx: tx.wake_dispatch(now, limit))

    # the machinery -------------------------------------------------------------------------

    async def _again(
        self, order_id: OrderId | None, work: Callable[[PipelineTx], Awaitable[T]]
    ) -> T:
        """Runs `work` in one transaction, again when it lost a race or the database was busy;
        StaleOrder when it kept losing."""
        for attempt in range(1, self._tries + 1):
            try:
                async with self._store.transaction() as tx:
                    return await work(tx)
            except _LostRace:
                logger.info("press on order %s lost a race; looking again", order_id)
            except StoreError as exc:
                if not exc.transient or attempt == self._tries:
                    raise
                logger.info("press transaction retried: %s", exc)
        raise StaleOrder(order_id or 0)

    async def _press(
        self, order_id: OrderId, decide: Decide, audit: AuditEntry | None = None
    ) -> bool:
        """Runs one press; True when it changed the order, False for a replay. `audit` is
        written with the change, in its transaction."""
        async def once(tx: PipelineTx) -> bool:
            now = self._clock.now()
            order = found((await tx.orders({order_id})).get(order_id), order_id)
            kitchen = (await tx.restaurants({order.restaurant_id})).get(order.restaurant_id)
            effects = decide(order, kitchen, now)
            if effects is None:
                return False  # a replay: nothing changes, nothing is sent
            if await tx.apply([effects], now):
                raise _LostRace()
            if effects.release_partner is not None:  # an order waiting for a partner looks again
                await tx.wake_dispatch(now, 1)
            if audit is not None:
                await tx.audit(audit)
            return True

        return await self._again(order_id, once)

    async def _accept(self, tx: PipelineTx, order_id: OrderId, partner_id: UserId) -> Assignment:
        now, pair = self._clock.now(), (order_id, partner_id)
        # read in the order an accept commits backwards: whatever a racing accept changed
        # between these reads, the order (read last) is at least as new as the rest
        partner = (await tx.partners({partner_id})).get(partner_id)
        offer = (await tx.offer_pairs([pair])).get(pair)
        order = found((await tx.orders({order_id})).get(order_id), order_id)
        if not check_accept(order, offer, partner, partner_id, now):
            if pair not in await tx.take([pair], now):
                raise _LostRace()
            assert partner is not None  # check_accept refuses an unknown partner
            await tx.apply([assigned(order, partner)], now)
            await tx.finish_dispatch([order_id], now)
        return (await tx.assignments([pair]))[order_id]

    async def _decline(self, tx: PipelineTx, order_id: OrderId, partner_id: UserId) -> None:
        now, pair = self._clock.now(), (order_id, partner_id)
        offer = (await tx.offer_pairs([pair])).get(pair)
        order = found((await tx.orders({order_id})).get(order_id), order_id)
        if not check_decline(order, offer, now) and not await tx.decline(pair, now):
            raise _LostRace()


def _known(restaurant: Restaurant | None, order: OrderView) -> Restaurant:
    if restaurant is None:
        raise DomainError(f"order {order.id} has no restaurant")
    return restaurant


def _implements(presses: Presses) -> PipelineActions:
    return presses  # mypy checks the class against the port the chat layer uses
