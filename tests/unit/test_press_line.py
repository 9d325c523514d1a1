"""Group commit of presses (domain.group_commit, domain.pipeline.line): presses made at once
share a transaction, and each caller still gets its own answer, its own refusal, or its own
second look."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from domain.errors import NotAllowed, StaleOrder
from domain.group_commit import Line, Lost
from domain.ids import OrderId, UserId
from domain.pipeline.line import Kind, Request
from domain.pipeline.ports import PipelineTx, StoreError


@dataclass
class Store:
    """Counts transactions; `failing` raises from the next ones as they begin."""

    transactions: int = 0
    failing: list[Exception] = field(default_factory=list)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PipelineTx]:
        self.transactions += 1
        if self.failing:
            raise self.failing.pop(0)
        yield None  # type: ignore[misc]  # the batches below never touch it


@dataclass
class Kitchen:
    """A batch that answers each order's press with its own id, refuses order 13, and
    reports a lost race for the orders in `losing` (once each)."""

    batches: list[list[int]] = field(default_factory=list)
    losing: set[int] = field(default_factory=set)
    broken: int | None = None  # a press whose batch blows up

    async def run(self, _: PipelineTx, batch: list[Request]) -> None:
        self.batches.append([r.order_id for r in batch])
        for request in batch:
            if request.order_id == self.broken:
                raise RuntimeError("the kitchen printer is on fire")
            if request.order_id == 13:
                request.answer = NotAllowed("not your order")
            elif request.order_id in self.losing:
                self.losing.discard(request.order_id)
                request.answer = Lost()
            else:
                request.answer = request.order_id


def press(order: int, partner: int | None = None, kind: Kind = Kind.PRESS) -> Request:
    return Request(kind, OrderId(order), UserId(partner) if partner else None)


async def test_presses_made_at_once_share_one_transaction_and_each_gets_its_own_answer() -> None:
    store, kitchen = Store(), Kitchen()
    line = Line(store.transaction, kitchen.run, tries=3)

    answers = await asyncio.gather(
        *(line.submit(press(n)) for n in (1, 2, 13, 4)), return_exceptions=True)

    assert answers[:2] == [1, 2] and answers[3] == 4
    assert isinstance(answers[2], NotAllowed)  # one refusal, the others unharmed
    assert store.transactions == 1 and kitchen.batches == [[1, 2, 13, 4]]


async def test_a_second_press_on_the_same_order_waits_for_the_next_batch() -> None:
    store, kitchen = Store(), Kitchen()
    line = Line(store.transaction, kitchen.run, tries=3)

    await asyncio.gather(line.submit(press(1)), line.submit(press(2)), line.submit(press(1)),
                         line.submit(press(3, 50, Kind.ACCEPT)),
                         line.submit(press(4, 50, Kind.ACCEPT)))

    # order 1 once per batch; partner 50's accepts one per batch
    assert kitchen.batches == [[1, 2, 3], [1, 4]]


async def test_a_press_that_lost_its_race_looks_again_in_the_next_batch() -> None:
    store, kitchen = Store(), Kitchen(losing={2})
    line = Line(store.transaction, kitchen.run, tries=3)

    assert await asyncio.gather(line.submit(press(1)), line.submit(press(2))) == [1, 2]
    assert kitchen.batches == [[1, 2], [2]]


async def test_a_press_that_keeps_losing_gives_up_with_stale_order() -> None:
    class Loser(Kitchen):
        async def run(self, tx: PipelineTx, batch: list[Request]) -> None:
            self.losing = {r.order_id for r in batch}
            await super().run(tx, batch)

    kitchen = Loser()
    line = Line(Store().transaction, kitchen.run, tries=3)

    with pytest.raises(StaleOrder):
        await line.submit(press(7))
    assert kitchen.batches == [[7], [7], [7]]


async def test_a_batch_that_blows_up_is_run_again_one_by_one_so_only_its_culprit_fails() -> None:
    kitchen = Kitchen(broken=2)
    line = Line(Store().transaction, kitchen.run, tries=3)

    answers = await asyncio.gather(*(line.submit(press(n)) for n in (1, 2, 3)),
                                   return_exceptions=True)

    assert answers[0] == 1 and answers[2] == 3
    assert isinstance(answers[1], RuntimeError)
    assert kitchen.batches == [[1, 2, 3], [1], [2], [3]]


async def test_a_busy_database_runs_the_batch_again_and_a_broken_one_answers_with_its_error(
) -> None:
    store, kitchen = Store(failing=[StoreError("database is locked", transient=True)]), Kitchen()
    line = Line(store.transaction, kitchen.run, tries=3)
    assert await asyncio.gather(line.submit(press(1)), line.submit(press(2))) == [1, 2]
    assert store.transactions == 2

    store.failing = [StoreError("disk full", transient=False)] * 3
    answers: list[Any] = await asyncio.gather(
        line.submit(press(1)), line.submit(press(2)), return_exceptions=True)
    assert all(isinstance(a, StoreError) and "disk full" in str(a) for a in answers)


async def test_a_press_whose_caller_gave_up_before_its_turn_is_not_made() -> None:
    kitchen = Kitchen()
    line = Line(Store().transaction, kitchen.run, tries=3)
    given_up = press(2)
    given_up.done.cancel()  # what cancelling its caller's task does to the future it awaits

    answers = await asyncio.gather(line.submit(press(1)), line.submit(given_up),
                                   return_exceptions=True)

    assert answers[0] == 1 and isinstance(answers[1], asyncio.CancelledError)
    assert kitchen.batches == [[1]]


async def test_a_line_stopped_mid_batch_leaves_no_caller_waiting() -> None:
    started = asyncio.Event()

    async def stuck(_: PipelineTx, batch: list[Request]) -> None:
        started.set()
        await asyncio.Event().wait()  # a batch that never ends, until the line is stopped

    line = Line(Store().transaction, stuck, tries=3)
    # two in the batch; a second press on order 1 waits behind it
    callers = [asyncio.ensure_future(line.submit(press(n))) for n in (1, 2, 1)]
    await started.wait()
    [runner] = asyncio.all_tasks() - {*callers, asyncio.current_task()}
    runner.cancel()  # what the event loop's shutdown does to the line's runner

    async with asyncio.timeout(10):  # a deadline: without the fix they would wait forever
        answers = await asyncio.gather(*callers, return_exceptions=True)
    assert len(answers) == 3 and all(isinstance(a, asyncio.CancelledError) for a in answers)
