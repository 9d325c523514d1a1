"""The outbound budget shared by instances (bot/shared_budget.py) over the bucket's rule
(domain/outbound_budget.py) in memory: together they never hand out more than the rate, a
reply on one instance goes ahead of notifications on another, a busy instance leases tokens
ahead instead of asking per call, and while the bucket cannot be reached each instance paces
alone, then shares again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.shared_budget import HOLD_S, SharedBudget
from domain.outbound_budget import Grant, SharedBucket, reserve, shared_burst

WAIT = 30.0  # generous: the machine is shared; nothing here asserts how fast


class MemoryTokens:
    """Implements `SharedTokens` over one in-memory bucket; every instance gets a view."""

    def __init__(self, bucket: SharedBucket, clock: Callable[[], float] | None = None) -> None:
        self.bucket = bucket
        self.clock = clock or asyncio.get_running_loop().time
        self.reachable = True
        self.calls: list[tuple[int, int, int, Grant]] = []  # want, keep, returned, grant

    async def take(self, want: int, *, keep: int = 0, returned: int = 0) -> Grant | None:
        if not self.reachable:
            return None
        grant = self.bucket.take(self.clock(), want, keep=keep, returned=returned)
        self.calls.append((want, keep, returned, grant))
        return grant


def shared(per_s: float, count: int = 2) -> tuple[SharedBucket, list[MemoryTokens]]:
    bucket = SharedBucket(per_s, asyncio.get_running_loop().time())
    return bucket, [MemoryTokens(bucket) for _ in range(count)]


def empty(bucket: SharedBucket) -> None:
    """Another instance took the whole burst: from here on every call waits."""
    bucket.take(asyncio.get_running_loop().time(), 1000)


async def test_the_rule_refills_takes_whole_tokens_and_keeps_the_reserve() -> None:
    bucket = SharedBucket(30.0, now=0.0)
    assert (shared_burst(30.0), reserve(30.0)) == (7, 3)
    assert bucket.take(0.0, 100, keep=3) == Grant(4, 3.0)  # a notification leaves 3
    assert bucket.take(0.0, 100) == Grant(3, 0.0)  # a reply takes them
    assert bucket.take(0.1, 100).granted == 3  # 0.1 s refills 3
    assert bucket.take(0.15, 100, returned=2).granted == 3  # 1.5 refilled + 2 given back
    assert bucket.take(10.0, 100).granted == 7  # never more than the burst


async def test_two_instances_together_never_hand_out_more_than_the_rate() -> None:
    per_s, calls_each = 40.0, 40
    _, views = shared(per_s)
    budgets = [SharedBudget(view, per_s) for view in views]
    loop, granted = asyncio.get_running_loop(), []

    async def reply(budget: SharedBudget) -> None:
        await budget.reply()
        granted.append(loop.time())

    await asyncio.wait_for(asyncio.gather(*(reply(b) for b in budgets
                                            for _ in range(calls_each))), WAIT)

    assert len(granted) == 2 * calls_each
    granted.sort()
    # any window of a second: at most the burst, a second's refill, and what was leased ahead
    bound = shared_burst(per_s) + per_s * (1 + HOLD_S)
    busiest = max(sum(1 for t in granted if start <= t < start + 1.0) for start in granted)
    assert busiest <= bound
    assert granted[-1] - granted[0] >= (2 * calls_each - shared_burst(per_s)) / per_s * 0.95


async def reply_and_notices(*, replying: SharedBudget, notifying: SharedBudget) -> list[str]:
    """Ten notifications queued on one instance, then a reply on the other, on an empty
    bucket: the order they were granted in."""
    order: list[str] = []

    async def notice(i: int) -> None:
        await notifying.notify()
        order.append(f"notice{i}")

    async def reply() -> None:
        await replying.reply()
        order.append("reply")

    notices = [asyncio.create_task(notice(i)) for i in range(10)]
    await asyncio.sleep(0)  # queued on the notifying instance first
    await asyncio.wait_for(asyncio.gather(*notices, reply()), WAIT)
    return order


async def test_a_reply_on_one_instance_goes_ahead_of_notifications_waiting_on_another() -> None:
    per_s = 20.0
    bucket, (a_view, b_view) = shared(per_s)
    a, b = SharedBudget(a_view, per_s), SharedBudget(b_view, per_s)
    empty(bucket)
    order = await reply_and_notices(replying=b, notifying=a)
    assert order[0] == "reply", order


async def test_notifications_leave_the_reserve_for_the_replies_of_any_instance() -> None:
    per_s = 20.0
    _, (a_view, b_view) = shared(per_s)
    a, b = SharedBudget(a_view, per_s), SharedBudget(b_view, per_s)
    flood = [asyncio.create_task(a.notify()) for _ in range(40)]
    await asyncio.sleep(0)
    await until(lambda: sum(t.done() for t in flood) >= 5)

    await asyncio.wait_for(asyncio.gather(*(b.reply() for _ in range(reserve(per_s)))), WAIT)

    _, keep, _, grant = b_view.calls[0]
    assert (keep, grant.granted) == (0, reserve(per_s))  # one round trip, no wait
    await asyncio.wait_for(asyncio.gather(*flood), WAIT)
    assert all(keep == reserve(per_s) for _, keep, _, _ in a_view.calls)


async def test_a_busy_instance_leases_ahead_and_gives_back_what_it_did_not_use() -> None:
    per_s, now = 30.0, [0.0]
    bucket = SharedBucket(per_s, now[0])
    view = MemoryTokens(bucket, lambda: now[0])
    budget = SharedBudget(view, per_s, clock=lambda: now[0])

    for _ in range(5):  # one after another, as a busy instance's replies come
        await asyncio.wait_for(budget.reply(), WAIT)

    assert len(view.calls) < 5  # fewer round trips than replies
    unused = sum(grant.granted for *_, grant in view.calls) - 5
    assert unused > 0  # leased ahead, held for the next replies
    now[0] += HOLD_S  # ... but not used in time
    await budget.spare()
    assert view.calls[-1][2] == unused  # given back with the next call


async def test_while_the_bucket_cannot_be_reached_each_instance_paces_alone_then_shares(
) -> None:
    per_s = 20.0
    bucket, (view,) = shared(per_s, 1)
    budget = SharedBudget(view, per_s)
    empty(bucket)
    waiting = [asyncio.create_task(budget.reply()) for _ in range(3)]
    await asyncio.sleep(0)
    view.reachable = False

    await asyncio.wait_for(asyncio.gather(*waiting), WAIT)  # released to this instance's bucket
    assert budget.down
    await asyncio.wait_for(budget.notify(), WAIT)
    asked = len(view.calls)

    view.reachable = True
    await until(lambda: not budget.down)  # tried again, and back
    await asyncio.wait_for(budget.reply(), WAIT)
    assert len(view.calls) > asked
    await budget.close()


async def test_a_pump_that_fails_unexpectedly_leaves_no_call_waiting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    per_s = 20.0
    bucket, (view,) = shared(per_s, 1)
    budget = SharedBudget(view, per_s)
    empty(bucket)

    async def broken(want: int, *, keep: int = 0, returned: int = 0) -> Grant | None:
        raise RuntimeError("a bug")

    view.take = broken  # type: ignore[method-assign]
    await asyncio.wait_for(asyncio.gather(*(budget.reply() for _ in range(3))), WAIT)
    assert budget.down and "shared pump failed" in caplog.text
    await budget.close()


async def until(condition: Callable[[], bool], at_most: float = WAIT) -> None:
    """Polls `condition` until it holds; fails the test after `at_most` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + at_most
    while True:
        if condition():
            return
        assert loop.time() < deadline, "not within the deadline"
        await asyncio.sleep(0.01)  # a poll bounded by the deadline


async def test_a_notification_within_its_floor_goes_ahead_of_the_replies_waiting() -> None:
    bucket, (view,) = shared(20.0, count=1)
    empty(bucket)
    budget, order = SharedBudget(view, 20.0), []

    async def reply(name: str, first: bool = False) -> None:
        await budget.reply(first=first)
        order.append(name)

    waiting = []
    for name in ("r0", "r1", "r2"):
        waiting.append(asyncio.create_task(reply(name)))
        await asyncio.sleep(0)  # queued before the next one comes
    waiting.append(asyncio.create_task(reply("floor", first=True)))
    await asyncio.wait_for(asyncio.gather(*waiting), WAIT)
    await budget.close()
    assert order[0] == "floor" or order[:2] == ["r0", "floor"], order
