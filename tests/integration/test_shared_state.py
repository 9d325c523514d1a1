"""Shared state on the machine's Redis (TEST_REDIS_URL): catalogue changes reach every
instance's cache, a lost subscription never leaves a stale copy, and one inbound limit holds
for all instances. Each test has its own key prefix and channel."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from redis.asyncio import Redis

from domain.catalogue import RESTAURANTS, dish_key, menu_key
from domain.ids import MenuItemId, RestaurantId
from domain.inbound_limit import Verdict
from domain.restaurants import MenuItem, Restaurant
from storage.shared import RedisInboundLimit, SharedState, announcer, connect, shared_state
from tests.e2e.journey import eventually

WAIT = 10.0
DOMINOS = Restaurant(RestaurantId(1), "Dominos", "MG Road")
PIZZA = MenuItem(MenuItemId(7), RestaurantId(1), "Pizza", 250_00)
MENU = menu_key(RestaurantId(1))


@pytest.fixture
async def instances(redis_url: str, redis_prefix: str) -> AsyncIterator[list[SharedState]]:
    """Two instances' shared state, subscribed."""
    async with AsyncExitStack() as stack:
        states = [
            await stack.enter_async_context(
                shared_state(redis_url, redis_prefix, cache_ttl_s=300, inbound_per_minute=60))
            for _ in range(2)
        ]
        for state in states:
            await eventually(lambda s=state: _true(s.cache.serving), WAIT)
        yield states


async def _true(condition: bool) -> bool | None:
    return True if condition else None


def warm(state: SharedState) -> None:
    cache = state.cache
    cache.store(RESTAURANTS, (DOMINOS,), cache.generation, 0.0)
    cache.store(MENU, (PIZZA,), cache.generation, 0.0)


async def test_a_change_announced_by_one_instance_drops_the_entry_on_the_other(
    instances: list[SharedState],
) -> None:
    a, b = instances
    warm(b)

    await a.feed.announce(frozenset({MENU.name, dish_key(PIZZA.id).name}))

    await eventually(lambda: _true(b.cache.lookup(MENU, 1.0) is None), WAIT)
    assert b.cache.lookup(RESTAURANTS, 1.0) == (DOMINOS,)  # only what changed is dropped


async def test_foodbot_seed_run_beside_the_bot_tells_the_running_instances(
    instances: list[SharedState], redis_url: str, redis_prefix: str
) -> None:
    _, b = instances
    warm(b)

    async with announcer(redis_url, redis_prefix) as feed:
        assert feed is not None
        await feed.announce(frozenset({RESTAURANTS.name}))

    await eventually(lambda: _true(b.cache.lookup(RESTAURANTS, 1.0) is None), WAIT)


async def test_another_prefix_does_not_hear_the_change(
    instances: list[SharedState], redis_url: str
) -> None:
    a, b = instances
    async with shared_state(redis_url, "test-other-bot", cache_ttl_s=300,
                            inbound_per_minute=60) as other:
        await eventually(lambda: _true(other.cache.serving), WAIT)
        warm(other)
        warm(b)
        await a.feed.announce(frozenset({MENU.name}))
        await eventually(lambda: _true(b.cache.lookup(MENU, 1.0) is None), WAIT)
        assert other.cache.lookup(MENU, 1.0) == (PIZZA,)


async def test_a_lost_subscription_drops_everything_and_caching_resumes_once_back(
    instances: list[SharedState], redis_url: str, redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Changes published while the connection was down are missed: nothing cached before
    may be served after it."""
    caplog.set_level(logging.WARNING)
    a, b = instances
    warm(b)
    generation = b.cache.generation

    await kill_connections(redis_url, redis_prefix)

    await eventually(lambda: _true(b.cache.generation > generation and b.cache.serving), WAIT)
    assert b.cache.lookup(MENU, 1.0) is None and len(b.cache) == 0
    assert any("lost Redis" in r.getMessage() for r in caplog.records)
    warm(b)  # and changes are heard again
    await a.feed.announce(frozenset({MENU.name}))
    await eventually(lambda: _true(b.cache.lookup(MENU, 1.0) is None), WAIT)


async def kill_connections(redis_url: str, name: str) -> None:
    """Closes, server side, every connection of the clients named `name` (this test's)."""
    admin: Redis = Redis.from_url(redis_url)
    try:
        clients = await admin.client_list()
        ids = [c["id"] for c in clients if c.get("name") == name]
        assert ids, "the instances' connections carry the prefix as their name"
        for client_id in ids:
            await admin.client_kill_filter(_id=client_id)
    finally:
        await admin.aclose()


async def test_two_instances_together_admit_the_limit_once_then_say_slow_down_once(
    redis_url: str, redis_prefix: str
) -> None:
    clients = [connect(redis_url, redis_prefix) for _ in range(2)]
    try:
        a, b = (RedisInboundLimit(c, 4, redis_prefix) for c in clients)
        verdicts = [await limit.admit(1001) for limit in (a, b, a, b, a, b, a)]
        other_user = await b.admit(1002)
    finally:
        for client in clients:
            await client.aclose()

    assert verdicts == [Verdict.ADMIT] * 4 + [Verdict.SLOW_DOWN, Verdict.DROP, Verdict.DROP]
    assert other_user is Verdict.ADMIT


async def test_the_shared_bucket_refills_with_time(redis_url: str, redis_prefix: str) -> None:
    client = connect(redis_url, redis_prefix)
    try:
        limit = RedisInboundLimit(client, 2, redis_prefix, window_s=0.5)  # a token each 0.25 s
        assert [await limit.admit(7) for _ in range(3)] == [
            Verdict.ADMIT, Verdict.ADMIT, Verdict.SLOW_DOWN]
        await eventually(lambda: _admitted(limit), WAIT)
    finally:
        await client.aclose()


async def _admitted(limit: RedisInboundLimit) -> bool | None:
    return True if await limit.admit(7) is Verdict.ADMIT else None


async def test_an_unreachable_redis_says_so_once_and_leaves_counting_to_the_instance(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    client = connect("redis://127.0.0.1:1/0", "test-unreachable")  # nothing listens on port 1
    try:
        limit = RedisInboundLimit(client, 2, "test-unreachable")
        assert [await limit.admit(7) for _ in range(3)] == [None, None, None]
    finally:
        await client.aclose()
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1
