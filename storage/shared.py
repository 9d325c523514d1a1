"""What instances share through Redis when REDIS_URL is set (DESIGN.md §7), and the
in-process stand-ins when it is not.

Catalogue cache: each instance keeps its own copy (domain/catalogue.py), and an instance
that commits a catalogue change drops the stale entries and publishes their names on one
channel; every instance drops what it hears. A copy in process memory costs no round trip
per screen; a change reaches the other instances as one small message. While the
subscription is down nothing can be heard, so the cache is suspended (every read goes to
the database) and, once subscribed again, starts empty: whatever was missed is not cached.

Inbound limit: the token bucket of domain/inbound_limit.py kept in Redis and run there as
one Lua script, so all instances count one user's updates together, atomically, on Redis's
clock. When Redis cannot be reached, `admit` says None and the gate counts in the process
(bot/inbound.py): the limit holds per instance instead of failing open or shut.

Outbound budget: RATE_LIMIT_GLOBAL_PER_S for all instances together, in one Redis bucket
(storage/shared_budget.py; the rule: domain/outbound_budget.py).

The Redis client (about 6 MB of resident memory) is imported only when REDIS_URL is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domain.catalogue import CatalogueCache
from domain.inbound_limit import WINDOW_S, Verdict
from storage.outage import Outage

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.client import PubSub

    from storage.shared_budget import RedisOutboundTokens

logger = logging.getLogger(__name__)

TIMEOUT_S = 0.5  # a Redis call slower than this is treated as Redis being down
LISTEN_S = 1.0  # each wait for a message; the connection is checked between waits
RESUBSCRIBE_S = (0.1, 5.0)  # first and longest pause between attempts to subscribe again


def connect(url: str, prefix: str) -> Redis:
    """A client that fails fast: no retries inside redis-py, so the callers' own rules (the
    cache suspends, the limit counts in process) apply at once. Its connections carry the
    prefix as their name (CLIENT LIST shows which bot they belong to)."""
    from redis.asyncio import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S,
                          retry=Retry(NoBackoff(), 0), health_check_interval=10,
                          client_name=prefix)


class LocalFeed:
    """One instance, no Redis: a committed change drops the entries from this cache."""

    def __init__(self, cache: CatalogueCache) -> None:
        self.cache = cache

    async def announce(self, stale: frozenset[str]) -> None:
        self.cache.drop(stale)


class RedisFeed:
    """Catalogue changes through Redis pub/sub: `announce` drops here and publishes; the
    listener (`start`) drops what any instance published."""

    def __init__(self, redis: Redis, cache: CatalogueCache, channel: str) -> None:
        self.cache = cache
        self._redis, self._channel = redis, channel
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        cache.suspend()  # until subscribed: a change published before then would be missed

    async def announce(self, stale: frozenset[str]) -> None:
        from redis.exceptions import RedisError  # loaded already: self._redis is a client

        self.cache.drop(stale)
        try:
            await self._redis.publish(self._channel, json.dumps(sorted(stale)))
        except RedisError as error:
            logger.warning("catalogue cache: could not tell the other instances that %s "
                           "changed (%s); they see it within CATALOGUE_CACHE_TTL_S",
                           ", ".join(sorted(stale)), error)

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="catalogue-feed")

    async def stop(self) -> None:
        self._stopping = True  # a Redis error raised while closing may hide the cancel
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.cache.suspend()

    async def _listen(self) -> None:
        from redis.exceptions import RedisError

        pause = RESUBSCRIBE_S[0]
        outage = Outage(logger, "catalogue cache: lost Redis (%s); reading the database until "
                        "it is back", "catalogue cache: Redis is back; caching again")
        while not self._stopping:
            try:
                pubsub: PubSub = self._redis.pubsub()
                async with pubsub:
                    await pubsub.subscribe(self._channel)
                    while True:
                        message = await pubsub.get_message(timeout=LISTEN_S)
                        if message is not None:
                            self._heard(message, outage)
                            pause = RESUBSCRIBE_S[0]
            except (RedisError, OSError) as error:
                self.cache.suspend()
                outage.failed(error)
            if self._stopping:
                return
            await asyncio.sleep(pause)  # a pause between reconnection attempts
            pause = min(pause * 2, RESUBSCRIBE_S[1])

    def _heard(self, message: dict[str, Any], outage: Outage) -> None:
        """Handles one pub/sub message."""
        if message["type"] == "subscribe":  # (re)subscribed: anything may have been missed
            self.cache.resume()
            outage.answered()
        elif message["type"] == "message":
            try:
                self.cache.drop(json.loads(message["data"]))
            except (ValueError, TypeError):
                logger.warning("catalogue cache: unreadable message %r; dropping everything",
                               message["data"])
                self.cache.drop_all()


# KEYS[1] the user's bucket; ARGV: capacity, tokens a second, window seconds.
# Returns 0 admit, 1 slow down, 2 drop: domain/inbound_limit.py's rule, on Redis's clock.
_BUCKET = """
local capacity, rate, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'quiet_until')
local tokens, updated, quiet = tonumber(b[1]), tonumber(b[2]), tonumber(b[3])
if tokens == nil then tokens, updated, quiet = capacity, now, now end
if now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * rate)
  updated = now
end
local verdict = 2
if tokens >= 1 then
  tokens = tokens - 1
  verdict = 0
elseif now >= quiet then
  quiet = now + window
  verdict = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(updated),
           'quiet_until', tostring(quiet))
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
return verdict
"""
_VERDICTS = (Verdict.ADMIT, Verdict.SLOW_DOWN, Verdict.DROP)


class RedisInboundLimit:
    """Implements `domain.inbound_limit.SharedLimit`: every instance's updates of one user
    counted in one bucket. An idle user's bucket expires once it would be full again."""

    def __init__(self, redis: Redis, per_minute: int, prefix: str,
                 window_s: float = WINDOW_S) -> None:
        if per_minute < 1 or window_s <= 0:
            raise ValueError("the limit needs at least one update per window")
        self._redis, self._prefix = redis, prefix
        self._args = (per_minute, per_minute / window_s, window_s)
        self._script = redis.register_script(_BUCKET)
        self._outage = Outage(
            logger, "inbound limit: Redis unreachable (%s); counting in this instance until "
            "it is back", "inbound limit: Redis is back; counting across instances again")

    async def admit(self, user_id: int) -> Verdict | None:
        from redis.exceptions import RedisError

        try:
            answer = await self._script(keys=[f"{self._prefix}:inbound:{user_id}"],
                                        args=list(self._args))
        except RedisError as error:
            self._outage.failed(error)
            return None
        self._outage.answered()
        return _VERDICTS[int(answer)]


@dataclass(frozen=True)
class SharedState:
    """This instance's catalogue cache and how it hears of changes, the shared inbound limit
    and the shared outbound budget (both None without Redis)."""

    feed: LocalFeed | RedisFeed
    limit: RedisInboundLimit | None
    outbound: RedisOutboundTokens | None = None

    @property
    def cache(self) -> CatalogueCache:
        return self.feed.cache


@asynccontextmanager
async def shared_state(redis_url: str | None, prefix: str, *, cache_ttl_s: float,
                       inbound_per_minute: int, outbound_per_s: float = 30.0
                       ) -> AsyncIterator[SharedState]:
    """The state for one running instance: in process without `redis_url`; with it, through
    Redis, under keys and a channel starting with `prefix`."""
    cache = CatalogueCache(cache_ttl_s)
    if redis_url is None:
        yield SharedState(LocalFeed(cache), None)
        return
    from storage.shared_budget import RedisOutboundTokens  # loads the Redis client

    redis = connect(redis_url, prefix)
    feed = RedisFeed(redis, cache, f"{prefix}:catalogue")
    feed.start()
    try:
        yield SharedState(feed, RedisInboundLimit(redis, inbound_per_minute, prefix),
                          RedisOutboundTokens(redis, outbound_per_s, prefix))
    finally:
        await feed.stop()
        await redis.aclose()


@asynccontextmanager
async def announcer(redis_url: str | None, prefix: str) -> AsyncIterator[RedisFeed | None]:
    """For a command run beside the bot (`foodbot seed`): publishes its catalogue changes to
    the running instances; None without Redis (they see them within the cache's TTL)."""
    if redis_url is None:
        yield None
        return
    redis = connect(redis_url, prefix)
    try:
        yield RedisFeed(redis, CatalogueCache(0), f"{prefix}:catalogue")
    finally:
        await redis.aclose()
