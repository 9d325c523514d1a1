"""The outbound budget in the machine's Redis (TEST_REDIS_URL): the Lua script follows the
domain's rule step by step, instances together never take more than the rate, notifications
leave the reserve to replies, and with Redis unreachable each instance paces alone, says so
once, and shares again once Redis is back. Each test has its own key prefix."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.shared_budget import HOLD_S, SharedBudget
from domain.outbound_budget import SharedBucket, burst, reserve, shared_burst
from storage.shared import connect
from storage.shared_budget import RedisOutboundTokens
from tests.bot.test_shared_budget import reply_and_notices, until
from tests.integration.test_shared_state import kill_connections

WAIT = 30.0  # generous: the machine is shared; nothing here asserts how fast


class Clock:
    """Stands in for Redis's clock: the tests move it."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clients(redis_url: str, redis_prefix: str) -> AsyncIterator[list[Redis]]:
    """Two instances' connections to one Redis."""
    made = [connect(redis_url, redis_prefix) for _ in range(2)]
    yield made
    for client in made:
        await client.aclose()


async def test_the_script_follows_the_domains_rule_step_by_step(
    clients: list[Redis], redis_prefix: str
) -> None:
    clock, draw = Clock(), random.Random(11)
    rule = SharedBucket(30.0, clock.now)
    instances = [RedisOutboundTokens(c, 30.0, redis_prefix, clock) for c in clients]
    for _ in range(300):
        clock.now += draw.choice((0.0, 0.01, 0.04, 0.1, 0.7))  # any fraction
        want, keep, returned = draw.randint(0, 9), draw.choice((0, 5)), draw.choice((0, 0, 2))
        grant = await draw.choice(instances).take(want, keep=keep, returned=returned)
        assert grant is not None
        expected = rule.take(clock.now, want, keep=keep, returned=returned)
        assert grant.granted == expected.granted
        assert grant.left == pytest.approx(expected.left)


async def test_two_instances_taking_all_they_can_get_the_rate_together_and_no_more(
    clients: list[Redis], redis_prefix: str
) -> None:
    clock, per_s = Clock(), 32.0
    instances = [RedisOutboundTokens(c, per_s, redis_prefix, clock) for c in clients]
    taken = []
    for _ in range(160):  # ten seconds in steps of 1/16 s, both asking for more than there is
        clock.now += 0.0625
        for instance in instances:
            grant = await instance.take(5)
            assert grant is not None
            taken.append(grant.granted)
    assert sum(taken) == shared_burst(per_s) + per_s * 159 / 16  # full at the first take
    assert sum(taken[0::2]) > 0 and sum(taken[1::2]) > 0  # both got some


async def test_notifications_leave_the_reserve_and_a_reply_on_another_instance_takes_it(
    clients: list[Redis], redis_prefix: str
) -> None:
    clock, per_s = Clock(), 30.0
    a, b = (RedisOutboundTokens(c, per_s, redis_prefix, clock) for c in clients)
    notices = await a.take(100, keep=reserve(per_s))
    later = await a.take(100, keep=reserve(per_s))
    reply = await b.take(100)
    assert notices is not None and later is not None and reply is not None
    assert (notices.granted, later.granted) == (shared_burst(per_s) - reserve(per_s), 0)
    assert reply.granted == reserve(per_s)


async def test_two_budgets_on_one_redis_hand_out_no_more_than_the_rate(
    clients: list[Redis], redis_prefix: str
) -> None:
    per_s, each = 40.0, 40
    budgets = [SharedBudget(RedisOutboundTokens(c, per_s, redis_prefix), per_s)
               for c in clients]
    loop, granted = asyncio.get_running_loop(), []

    async def reply(budget: SharedBudget) -> None:
        await budget.reply()
        granted.append(loop.time())

    try:
        await asyncio.wait_for(
            asyncio.gather(*(reply(b) for b in budgets for _ in range(each))), WAIT)
    finally:
        for budget in budgets:
            await budget.close()

    granted.sort()
    bound = shared_burst(per_s) + per_s * (1 + HOLD_S)  # a second's refill, the burst, leased ahead
    assert max(sum(1 for t in granted if s <= t < s + 1.0) for s in granted) <= bound
    assert granted[-1] - granted[0] >= (2 * each - shared_burst(per_s)) / per_s * 0.95


async def test_a_reply_on_one_instance_goes_ahead_of_notifications_waiting_on_another(
    clients: list[Redis], redis_prefix: str
) -> None:
    per_s = 20.0
    tokens = [RedisOutboundTokens(c, per_s, redis_prefix) for c in clients]
    a, b = (SharedBudget(t, per_s) for t in tokens)
    await tokens[0].take(1000)  # empty: everything from here waits for the refill
    try:
        order = await reply_and_notices(replying=b, notifying=a)
    finally:
        await a.close()
        await b.close()
    assert order[0] == "reply", order


async def test_an_unreachable_redis_says_so_once_and_each_instance_paces_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    client = connect("redis://127.0.0.1:1/0", "test-unreachable")  # nothing listens on port 1
    budget = SharedBudget(RedisOutboundTokens(client, 20.0, "test-unreachable"), 20.0)
    try:
        await asyncio.wait_for(asyncio.gather(*(budget.reply() for _ in range(5)),
                                              *(budget.notify() for _ in range(3))), WAIT)
        assert budget.down
        assert await budget.spare() == burst(20.0) - 8  # this instance's own bucket
    finally:
        await budget.close()
        await client.aclose()
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1


async def test_a_lost_connection_paces_alone_then_shares_again_once_redis_answers(
    clients: list[Redis], redis_url: str, redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    budget = SharedBudget(RedisOutboundTokens(clients[0], 20.0, redis_prefix), 20.0)
    try:
        await budget.spare()  # connected
        await kill_connections(redis_url, redis_prefix)
        await asyncio.wait_for(budget.reply(), WAIT)
        assert budget.down
        await until(lambda: not budget.down)  # tried again within a second or so
        await asyncio.wait_for(budget.reply(), WAIT)
    finally:
        await budget.close()
    said = [r.getMessage() for r in caplog.records if "outbound budget" in r.getMessage()]
    assert len(said) == 2 and "unreachable" in said[0] and "is back" in said[1], said
