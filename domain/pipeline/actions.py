"""The presses that move orders between queue steps: partners' Accept, Decline, Picked up,
Delivered; the restaurant manager's Accept, Reject, Ready; cancelling by the customer, an
admin or the system (DESIGN.md §1, §2, §5).

Each press reads the order in a transaction, asks the rules in domain.pipeline.presses
whether it may go ahead, and writes the change through the store's guarded writes. A press
whose guard fails lost a race: the state changed since it was read, nothing was written, and
the press is looked at again on fresh data, so it gets the rules' answer on the new state:
never a double move, a double assignment or a second message. A busy database (a deadlock, a
serialization failure) is tried again the same way.

Presses made at the same moment share one transaction (domain.group_commit): the ones that
arrive while a batch is being written go together in the next, read together and written
set-based, each still answered on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from domain.audit import AuditEntry
from domain.errors import DomainError
from domain.group_commit import Line, Lost
from domain.ids import OrderId, UserId
from domain.orders import Actor
from domain.pipeline.line import Kind, Request
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
Decide = Callable[[OrderView, Restaurant | None, datetime], Effects | None]


class Presses:
    """Implements PipelineActions on a PipelineStore."""

    def __init__(self, store: PipelineStore, clock: Clock, *, tries: int = 5,
                 admins: frozenset[int] = frozenset()) -> None:
        self._store = store
        self._clock = clock
        self._tries = tries
        self._admins = admins  # told of refunds due when a paid order is cancelled
        self._line: Line[PipelineTx, Request] = Line(store.transaction, self._batch, tries=tries)

    # partners ------------------------------------------------------------------------------

    async def accept_offer(self, order_id: OrderId, partner_id: UserId) -> Assignment:
        """Takes the offered order: exactly one partner wins it; a replay returns it again."""
        answer: Assignment = await self._line.submit(Request(Kind.ACCEPT, order_id, partner_id))
        return answer

    async def decline_offer(self, order_id: OrderId, partner_id: UserId) -> None:
        """Passes on the offer; it moves on to the next partner at once."""
        await self._line.submit(Request(Kind.DECLINE, order_id, partner_id))

    async def picked_up(self, order_id: OrderId, partner_id: UserId) -> None:
        """PREPARING → OUT_FOR_DELIVERY, by the assigned partner, once the order is ready."""
        def decide(order: OrderView, _: Restaurant | None, now: datetime) -> Effects | None:
            return None if check_pickup(order, partner_id, now) else (
                picked_up(order, partner_id, now))

        await self._press(order_id, decide, kitchen=False)

    async def delivered(self, order_id: OrderId, partner_id: UserId) -> None:
        """OUT_FOR_DELIVERY → DELIVERED, by the assigned partner, who is free again."""
        def decide(order: OrderView, _: Restaurant | None, now: datetime) -> Effects | None:
            return None if check_delivery(order, partner_id) else (
                delivered(order, partner_id, now))

        await self._press(order_id, decide, kitchen=False)

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
            return restaurant_rejects(order, _known(kitchen, order), manager_chat_id, now, reason,
                                      self._admins)

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
            return cancelled_by(order, kitchen, actor, now, reason, self._admins)

        return await self._press(order_id, decide, audit)

    async def wake_dispatch(self, limit: int = 100) -> int:
        """Orders waiting for a free partner look again now (call when one comes online)."""
        now = self._clock.now()
        for attempt in range(1, self._tries + 1):
            try:
                async with self._store.transaction() as tx:
                    return await tx.wake_dispatch(now, limit)
            except StoreError as exc:
                if not exc.transient or attempt == self._tries:
                    raise
                logger.info("waking dispatch retried: %s", exc)
        raise AssertionError("unreachable")

    # the machinery -------------------------------------------------------------------------

    async def _press(
        self, order_id: OrderId, decide: Decide, audit: AuditEntry | None = None, *,
        kitchen: bool = True,
    ) -> bool:
        """Runs one press; True when it changed the order, False for a replay. `audit` is
        written with the change, in its transaction. Without `kitchen`, `decide` is given
        no restaurant, and none is read for it."""
        request = Request(Kind.PRESS, order_id, None, decide, audit, kitchen)
        return bool(await self._line.submit(request))

    async def _batch(self, tx: PipelineTx, batch: list[Request]) -> None:
        """One transaction for every press in `batch` (distinct orders; an accept's or a
        decline's partner once): reads once, decides each, writes set-based."""
        now = self._clock.now()
        pairs = {r: (r.order_id, r.partner_id) for r in batch
                 if r.kind is not Kind.PRESS and r.partner_id is not None}
        accepts = [r for r in batch if r.kind is Kind.ACCEPT]
        # read in the order an accept commits backwards: whatever a racing accept changed
        # between these reads, the order (read last) is at least as new as the rest
        partners = await tx.partners({pairs[r][1] for r in accepts}) if accepts else {}
        offers = await tx.offer_pairs(list(pairs.values())) if pairs else {}
        orders = await tx.orders({r.order_id for r in batch})
        kitchens = await tx.restaurants({
            o.restaurant_id for r in batch if r.kind is Kind.PRESS and r.kitchen
            and (o := orders.get(r.order_id)) is not None
        })
        moves: dict[Request, Effects] = {}
        taking: list[Request] = []
        declining: list[Request] = []
        for r in batch:
            try:
                order = found(orders.get(r.order_id), r.order_id)
                if r.kind is Kind.PRESS:
                    kitchen = kitchens.get(order.restaurant_id) if r.kitchen else None
                    effects = r.decide(order, kitchen, now)
                    if effects is None:
                        r.answer = False  # a replay: nothing changes, nothing is sent
                    else:
                        moves[r] = effects
                elif r.kind is Kind.ACCEPT:
                    pair = pairs[r]
                    if not check_accept(order, offers.get(pair), partners.get(pair[1]),
                                        pair[1], now):
                        taking.append(r)
                else:
                    if check_decline(order, offers.get(pairs[r]), now):
                        r.answer = None
                    else:
                        declining.append(r)
            except DomainError as exc:
                r.answer = exc
        for r in declining:  # the task before the offer, as the worker locks them
            r.answer = None if await tx.decline(pairs[r], now) else Lost()
        won = await tx.take([pairs[r] for r in taking], now) if taking else set()
        given: list[Effects] = []
        for r in taking:
            if pairs[r] in won:
                partner = partners[pairs[r][1]]
                given.append(assigned(orders[r.order_id], partner))
            else:
                r.answer = Lost()
        failed = await tx.apply([*moves.values(), *given], now) if moves or given else set()
        if won:
            await tx.finish_dispatch(sorted(o for o, _ in won), now)
        released = 0
        for r, effects in moves.items():
            if effects.order_id in failed:
                r.answer = Lost()
                continue
            r.answer = True
            released += effects.release_partner is not None
            if r.audit is not None:
                await tx.audit(r.audit)
        if released:  # orders waiting for a partner look again
            await tx.wake_dispatch(now, released)
        answered = [pairs[r] for r in accepts if r.answer is None]
        if answered:
            assignments = await tx.assignments(answered)
            for r in accepts:
                if r.answer is None:
                    r.answer = assignments[r.order_id]


def _known(restaurant: Restaurant | None, order: OrderView) -> Restaurant:
    if restaurant is None:
        raise DomainError(f"order {order.id} has no restaurant")
    return restaurant


def _implements(presses: Presses) -> PipelineActions:
    return presses  # mypy checks the class against the port the chat layer uses
