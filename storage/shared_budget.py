"""The outbound budget every instance shares through Redis (with REDIS_URL; DESIGN.md §7).

The bucket of domain/outbound_budget.py, one per bot (`REDIS_PREFIX:outbound`), run as one
Lua script: refill, give back, take, atomically, on Redis's clock, so instances with clocks
apart still count one second alike. `take` says None when Redis cannot be reached; the bot
then paces in its own process (bot/shared_budget.py) and this says so once in the log, and
once again when Redis answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.outbound_budget import Grant, shared_burst
from storage.outage import Outage

logger = logging.getLogger(__name__)

# KEYS[1] the bot's bucket; ARGV: tokens a second, capacity, want, keep, returned, and now
# ('' for Redis's own clock). Returns {granted, tokens left as a string}:
# domain/outbound_budget.py's SharedBucket.take.
_TAKE = """
local rate, capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
local want, keep, returned = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = tonumber(ARGV[6])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens, updated = tonumber(b[1]), tonumber(b[2])
if tokens == nil then tokens, updated = capacity, now end
if now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * rate)
  updated = now
end
tokens = math.min(capacity, tokens + returned)
local granted = math.max(0, math.min(want, math.floor(tokens - keep)))
tokens = tokens - granted
local exact = '%.17g'  -- tostring keeps 14 digits: a stored fraction would drift
redis.call('HSET', KEYS[1], 'tokens', string.format(exact, tokens),
           'updated', string.format(exact, updated))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return {granted, string.format(exact, tokens)}
"""


class RedisOutboundTokens:
    """Implements `domain.outbound_budget.SharedTokens`: the bot's one bucket in Redis. An idle
    bucket expires once it would be full again. `clock` (tests only) stands in for Redis's."""

    def __init__(self, redis: Redis, per_s: float, prefix: str,
                 clock: Callable[[], float] | None = None) -> None:
        if per_s <= 0:
            raise ValueError("the budget needs a rate above zero")
        self._key = f"{prefix}:outbound"
        self._rate = per_s
        self._script = redis.register_script(_TAKE)
        self._clock = clock
        self._outage = Outage(
            logger, "outbound budget: Redis unreachable (%s); pacing in this instance alone "
            "until it is back", "outbound budget: Redis is back; sharing the budget across "
            "instances again")

    async def take(self, want: int, *, keep: int = 0, returned: int = 0) -> Grant | None:
        now = "" if self._clock is None else repr(self._clock())
        try:
            granted, left = await self._script(
                keys=[self._key],
                args=[repr(self._rate), shared_burst(self._rate), want, keep, returned, now])
        except (RedisError, OSError) as error:
            self._outage.failed(error)
            return None
        self._outage.answered()
        return Grant(int(granted), float(left))
