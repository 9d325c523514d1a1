"""The per-user inbound rate limit (DESIGN.md §7): how many updates one user may send a minute.

A token bucket per user: it holds up to `per_minute` tokens and refills at `per_minute`
a minute; every update takes one. Chosen over windows because it keeps two numbers per user
whatever the limit (a sliding log keeps up to `per_minute` timestamps), lets a person tap
quickly through a few screens (a burst up to the limit), and lets a steady flooder through
evenly at the limit's pace, where a fixed window would let the whole limit through in a burst
at the start of every minute (and the bot's replies to that burst would all meet Telegram's
one message a second per chat at once).

An update the bucket has no token for is refused. The first refusal in a window earns the
user one polite "slow down" (`Verdict.SLOW_DOWN`); the rest of the window's refusals are
dropped without a word (`Verdict.DROP`). Exempt users (the admins) are always admitted. A
user's live-location moves have a bucket of their own (`moves_of`).

Pure: time comes in as `now`, seconds on any clock that never goes back (the bot passes
`time.monotonic()`). State lives in this object's memory: one instance limits one process.
With REDIS_URL the same rule runs in Redis for all instances together (`SharedLimit`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

WINDOW_S = 60.0  # the limit is per minute; the slow-down notice at most once per minute


def moves_of(user_id: int) -> int:
    """The key a user's live-location moves are counted under: a bucket of their own, beside
    the one for everything else they send (`user_id`). A rider's phone moves the map every few
    seconds while they ride; counted with their presses, the moves alone could spend the
    limit and turn away the rider's ✅ Delivered. Users' ids are positive, so this one is
    nobody else's."""
    return ~user_id


class Verdict(Enum):
    """What to do with one update."""

    ADMIT = "admit"  # handle it
    SLOW_DOWN = "slow_down"  # drop it, and tell the user to slow down (once per window)
    DROP = "drop"  # drop it without a word: the user was told this window

    @property
    def admitted(self) -> bool:
        return self is Verdict.ADMIT


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    quiet_until: float  # no second slow-down before this moment


class InboundLimiter:
    """Counts each user's updates; `admit(user_id, now)` says whether to handle one."""

    def __init__(self, per_minute: int, *, exempt: Collection[int] = (),
                 window_s: float = WINDOW_S) -> None:
        if per_minute < 1 or window_s <= 0:
            raise ValueError("the limit needs at least one update per window")
        self.per_minute = per_minute
        self.exempt = frozenset(exempt)
        self.window_s = window_s
        self._capacity = float(per_minute)
        self._rate = per_minute / window_s  # tokens a second
        self._buckets: dict[int, _Bucket] = {}
        self._next_sweep: float | None = None

    def admit(self, user_id: int, now: float) -> Verdict:
        """Counts one update of `user_id` at `now` and says what to do with it."""
        if user_id in self.exempt:
            return Verdict.ADMIT
        self._sweep(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self._capacity, now, now)
        elif now > bucket.updated:
            refill = (now - bucket.updated) * self._rate
            bucket.tokens = min(self._capacity, bucket.tokens + refill)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ADMIT
        if now >= bucket.quiet_until:
            bucket.quiet_until = now + self.window_s
            return Verdict.SLOW_DOWN
        return Verdict.DROP

    def tracked(self) -> int:
        """How many users the limiter holds state for (idle ones are forgotten)."""
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        """Once a window, forgets users whose bucket is full again and who may be told again:
        their state is the same as a newcomer's, so memory follows the active users only."""
        if self._next_sweep is None:
            self._next_sweep = now + self.window_s
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.window_s
        idle = [user for user, b in self._buckets.items()
                if b.tokens + (now - b.updated) * self._rate >= self._capacity
                and now >= b.quiet_until]
        for user in idle:
            del self._buckets[user]


class SharedLimit(Protocol):
    """The same rule counted for every instance together (with REDIS_URL; storage/shared.py)."""

    async def admit(self, user_id: int) -> Verdict | None:
        """Counts one update of `user_id`; None when the shared count cannot be reached (the
        caller then counts in its own process)."""
        ...
