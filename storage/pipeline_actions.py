"""The presses that move orders between queue steps: partners' Accept, Decline, Picked up,
Delivered; the restaurant manager's Accept, Reject, Ready; cancelling (DESIGN.md §1, §2, §5).

Each press reads the order, asks the domain whether it may go ahead (domain.pipeline_partner),
then writes the change with conditional statements in one transaction, so a press that loses
a race is looked at again on fresh data and gets the domain's answer: never a double move, a
double assignment or a second message. Every method has a batch form for callers with many
presses at once (the benchmark's simulated partners); the single forms raise the DomainError.

Accepting itself is `storage.pipeline_assign.take`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TypeVar

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.errors import DomainError
from domain.ids import OrderId, UserId
from domain.orders import Actor
from domain.pipeline import Effects, OfferState, OrderView
from domain.pipeline_partner import (
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
from domain.pipeline_ports import PipelineActions
from domain.ports import Clock
from domain.restaurants import Restaurant
from domain.tasks import TaskKind
from storage import pipeline_load as load
from storage.order_repository import StaleOrder
from storage.pipeline_apply import apply_effects
from storage.pipeline_assign import Pair, finish_dispatch, take, wake_dispatch
from storage.pipeline_sql import OFFERS
from storage.sql import TASKS, execute_count

logger = logging.getLogger(__name__)
T = TypeVar("T")
Decide = Callable[[OrderView, Restaurant | None, datetime], Effects | None]
_TRANSIENT = {"40P01", "40001", "55P03"}  # deadlock, serialization failure, lock not available


class _LostRace(Exception):
    """A conditional write matched nothing: the state changed since it was read."""


class SqlPipelineActions:
    """Implements domain.pipeline_ports.PipelineActions on the database."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        tries: int = 5,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._tries = tries

    # partners ------------------------------------------------------------------------------

    async def accept_offer(self, order_id: OrderId, partner_id: UserId) -> Assignment:
        """Takes the offered order: exactly one partner wins it; a replay returns it again."""
        return _single(await self.accept_offers([(order_id, partner_id)]))

    async def accept_offers(self, pairs: Sequence[Pair]) -> list[Assignment | DomainError]:
        results: dict[int, Assignment | DomainError] = {}
        for _ in range(self._tries + len(pairs)):
            batch = _distinct(pairs, [i for i in range(len(pairs)) if i not in results])
            if not batch:
                break
            results.update(await self._transaction(partial(self._accept, pairs=pairs, batch=batch)))
        return [results.get(i) or StaleOrder(pairs[i][0]) for i in range(len(pairs))]

    async def decline_offer(self, order_id: OrderId, partner_id: UserId) -> None:
        """Passes on the offer; it moves on to the next partner at once."""
        for _ in range(self._tries):
            try:
                await self._transaction(lambda s: self._decline(s, order_id, partner_id))
            except _LostRace:
                continue
            return
        raise StaleOrder(order_id)

    async def picked_up(self, order_id: OrderId, partner_id: UserId) -> None:
        """PREPARING → OUT_FOR_DELIVERY, by the assigned partner, once the order is ready."""
        _single(await self.pick_up_many([(order_id, partner_id)]))

    async def pick_up_many(self, pairs: Sequence[Pair]) -> list[DomainError | None]:
        def decide(partner_id: UserId) -> Decide:
            def step(order: OrderView, _: Restaurant | None, now: datetime) -> Effects | None:
                if check_pickup(order, partner_id, now):
                    return None
                return picked_up(order, partner_id, now)
            return step

        return await self._press([(o, decide(p)) for o, p in pairs])

    async def delivered(self, order_id: OrderId, partner_id: UserId) -> None:
        """OUT_FOR_DELIVERY → DELIVERED, by the assigned partner, who is free again."""
        _single(await self.deliver_many([(order_id, partner_id)]))

    async def deliver_many(self, pairs: Sequence[Pair]) -> list[DomainError | None]:
        def decide(partner_id: UserId) -> Decide:
            def step(order: OrderView, _: Restaurant | None, now: datetime) -> Effects | None:
                if check_delivery(order, partner_id):
                    return None
                return delivered(order, partner_id, now)
            return step

        return await self._press([(o, decide(p)) for o, p in pairs])

    # restaurant managers -------------------------------------------------------------------

    async def restaurant_accept(self, order_id: OrderId, manager_chat_id: int) -> None:
        """CONFIRMED → PREPARING, pressed in the restaurant's chat; dispatch starts."""
        def step(order: OrderView, restaurant: Restaurant | None, now: datetime) -> Effects | None:
            return restaurant_accepts(order, _known(restaurant, order), manager_chat_id, now)

        _single(await self._press([(order_id, step)]))

    async def restaurant_reject(
        self, order_id: OrderId, manager_chat_id: int, reason: str = ""
    ) -> None:
        """CANCELLED by the restaurant; the customer is told why."""
        def step(order: OrderView, restaurant: Restaurant | None, now: datetime) -> Effects | None:
            known = _known(restaurant, order)
            return restaurant_rejects(order, known, manager_chat_id, now, reason)

        _single(await self._press([(order_id, step)]))

    async def restaurant_ready(self, order_id: OrderId, manager_chat_id: int) -> None:
        """The order can be picked up from now; the assigned partner is told."""
        def step(order: OrderView, restaurant: Restaurant | None, now: datetime) -> Effects | None:
            return restaurant_ready(order, _known(restaurant, order), manager_chat_id, now)

        _single(await self._press([(order_id, step)]))

    # anyone --------------------------------------------------------------------------------

    async def cancel_order(self, order_id: OrderId, actor: Actor, reason: str = "") -> None:
        """Cancels as `actor` may; a partner is released, open offers withdrawn, all told."""
        def step(order: OrderView, restaurant: Restaurant | None, now: datetime) -> Effects | None:
            return cancelled_by(order, restaurant, actor, now, reason)

        _single(await self._press([(order_id, step)]))

    async def wake_dispatch(self, limit: int = 100) -> int:
        """Orders waiting for a free partner look again now (call when one comes online)."""
        now = self._clock.now()
        return await self._transaction(lambda s: wake_dispatch(s, now, limit))

    # the machinery -------------------------------------------------------------------------

    async def _transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Runs `work` in one transaction, again on a deadlock or a busy database."""
        for attempt in range(1, self._tries + 1):
            try:
                async with self._sessions() as session, session.begin():
                    return await work(session)
            except DBAPIError as exc:
                if attempt == self._tries or not _transient(exc):
                    raise
                logger.info("press transaction retried: %s", exc.orig)
        raise AssertionError("unreachable")

    async def _press(self, requests: Sequence[tuple[OrderId, Decide]]) -> list[DomainError | None]:
        results: dict[int, DomainError | None] = {}
        for _ in range(self._tries + len(requests)):
            pending = [i for i in range(len(requests)) if i not in results]
            batch = _distinct([(o, i) for i, (o, _) in enumerate(requests)], pending)
            if not batch:
                break
            work = partial(self._press_once, requests=requests, batch=batch)
            results.update(await self._transaction(work))
        return [
            results[i] if i in results else StaleOrder(requests[i][0])
            for i in range(len(requests))
        ]

    async def _press_once(
        self, session: AsyncSession, requests: Sequence[tuple[OrderId, Decide]],
        batch: Sequence[int],
    ) -> dict[int, DomainError | None]:
        now = self._clock.now()
        views = await load.orders(session, {requests[i][0] for i in batch})
        kitchens = await load.restaurants(session, (v.restaurant_id for v in views.values()))
        results: dict[int, DomainError | None] = {}
        effects: dict[int, Effects] = {}
        for i in batch:
            order_id, decide = requests[i]
            try:
                order = found(views.get(order_id), order_id)
                made = decide(order, kitchens.get(order.restaurant_id), now)
            except DomainError as exc:
                results[i] = exc
                continue
            if made is None:
                results[i] = None  # a replay: nothing changes, nothing is sent
            else:
                effects[i] = made
        failed = await apply_effects(session, list(effects.values()), now)
        for i, made in effects.items():
            if made.order_id not in failed:
                results[i] = None
        freed = sum(1 for made in effects.values() if made.release_partner is not None)
        if freed:  # orders waiting for a partner look again now
            await wake_dispatch(session, now, freed)
        return results

    async def _accept(
        self, session: AsyncSession, pairs: Sequence[Pair], batch: Sequence[int]
    ) -> dict[int, Assignment | DomainError]:
        now = self._clock.now()
        wanted = [pairs[i] for i in batch]
        # read in the order an accept commits backwards: whatever a racing accept changed
        # between these reads, the order (read last) is at least as new as the rest
        people = await load.partners(session, {p for _, p in wanted})
        offers = await load.offer_pairs(session, wanted)
        views = await load.orders(session, {o for o, _ in wanted})
        results: dict[int, Assignment | DomainError] = {}
        replays: list[int] = []
        takes: list[int] = []
        for i in batch:
            order_id, partner_id = pairs[i]
            try:
                order = found(views.get(order_id), order_id)
                offer, partner = offers.get(pairs[i]), people.get(partner_id)
                replay = check_accept(order, offer, partner, partner_id, now)
            except DomainError as exc:
                results[i] = exc
                continue
            (replays if replay else takes).append(i)
        won = await take(session, [pairs[i] for i in takes], now)
        await apply_effects(session, [assigned(views[o], people[p]) for o, p in won], now)
        await finish_dispatch(session, [o for o, _ in won], now)
        details = await load.assignments(session, [*won, *(pairs[i] for i in replays)])
        for i in [*takes, *replays]:
            if i in replays or pairs[i] in won:
                results[i] = details[pairs[i][0]]
        return results

    async def _decline(self, session: AsyncSession, order_id: OrderId, partner_id: UserId) -> None:
        now = self._clock.now()
        offer = (await load.offer_pairs(session, [(order_id, partner_id)])).get(
            (order_id, partner_id)
        )
        order = found((await load.orders(session, {order_id})).get(order_id), order_id)
        if check_decline(order, offer, now):
            return
        # the task first: the worker locks it before the offer, so the same order never deadlocks
        t = TASKS.c
        await session.execute(
            update(TASKS)
            .where(t.order_id == order_id, t.kind == TaskKind.DISPATCH.value, t.state == "pending")
            .values(run_at=now)
        )
        o = OFFERS.c
        stmt = (
            update(OFFERS)
            .where(o.order_id == order_id, o.partner_id == partner_id,
                   o.state == OfferState.OPEN.value)
            .values(state=OfferState.DECLINED.value, closed_at=now)
        )
        if await execute_count(session, stmt) != 1:
            raise _LostRace()  # rolls back; look again


def _distinct(pairs: Sequence[tuple[OrderId, int]], pending: Sequence[int]) -> list[int]:
    """Of the pending requests, the first for each order and each presser: one round's share."""
    orders: set[OrderId] = set()
    people: set[int] = set()
    chosen = []
    for i in pending:
        order_id, who = pairs[i]
        if order_id not in orders and who not in people:
            orders.add(order_id)
            people.add(who)
            chosen.append(i)
    return chosen


def _single(results: Sequence[T | DomainError]) -> T:
    [result] = results
    if isinstance(result, DomainError):
        raise result
    return result


def _known(restaurant: Restaurant | None, order: OrderView) -> Restaurant:
    if restaurant is None:
        raise DomainError(f"order {order.id} has no restaurant")
    return restaurant


def _transient(exc: DBAPIError) -> bool:
    if getattr(exc.orig, "sqlstate", None) in _TRANSIENT:
        return True
    return "database is locked" in str(exc.orig)


def _implements(actions: SqlPipelineActions) -> PipelineActions:
    return actions  # mypy checks the class against the port the chat layer uses
