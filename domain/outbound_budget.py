"""The bot's outbound budget (DESIGN.md §7): how many calls to chats the bot may make a second,
and the rule of the bucket that every instance takes from when they share it (with REDIS_URL).

A token bucket of `per_s` tokens a second, the shape of Telegram's own limit, holding at most
`burst(per_s)`: half a second's worth where Telegram's holds a second's, as slack for calls on
the way (a call is counted here when it leaves and there when it arrives). The bucket the
instances share holds a quarter second's worth (`shared_burst`): the calls of several
processes, each late by its own scheduling, bunch up more on the way than one process's (two
instances on a busy 2-core machine met 22 429s at once with half a second's).

Replies come first across instances too: a notification takes from the shared bucket only what
lies above `reserve(per_s)` tokens, a reply takes down to zero. While replies anywhere keep the
bucket below the reserve, no notification gets a token; when they leave more, notifications
take it at the full rate, and the reserve is there at once for the next burst of replies.

Pure: time comes in as `now`, seconds on a clock that never goes back. `SharedBucket` is the
rule in memory; storage/shared_budget.py runs the same rule in Redis as one Lua script, on
Redis's clock, for all instances together (`SharedTokens`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


def burst(per_s: float) -> int:
    """The most tokens the bucket holds: half a second's worth, at least one."""
    return max(1, math.floor(per_s / 2))


def shared_burst(per_s: float) -> int:
    """The most tokens the shared bucket holds: a quarter second's worth, at least one."""
    return max(1, math.floor(per_s / 4))


def reserve(per_s: float) -> int:
    """Tokens a notification leaves in the shared bucket for replies: a third of its burst."""
    size = shared_burst(per_s)
    return math.ceil(size / 3) if size > 1 else 0


@dataclass(frozen=True, slots=True)
class Grant:
    """What one take got: `granted` whole tokens, and the tokens the bucket holds after it."""

    granted: int
    left: float


class SharedBucket:
    """The rule: `take` gives back what a caller did not use, then takes whole tokens."""

    def __init__(self, per_s: float, now: float) -> None:
        if per_s <= 0:
            raise ValueError("the budget needs a rate above zero")
        self.per_s = per_s
        self.capacity = float(shared_burst(per_s))
        self.tokens = self.capacity
        self.updated = now

    def take(self, now: float, want: int, *, keep: int = 0, returned: int = 0) -> Grant:
        """Refills for the time since the last take, adds `returned` (tokens taken before and
        never used), then takes up to `want` whole tokens, leaving at least `keep`."""
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_s)
            self.updated = now
        self.tokens = min(self.capacity, self.tokens + returned)
        granted = max(0, min(want, math.floor(self.tokens - keep)))
        self.tokens -= granted
        return Grant(granted, self.tokens)


class SharedTokens(Protocol):
    """The shared bucket as the instances reach it (with REDIS_URL; storage/shared_budget.py)."""

    async def take(self, want: int, *, keep: int = 0, returned: int = 0) -> Grant | None:
        """`SharedBucket.take` on the shared bucket, now; None when it cannot be reached (the
        caller then paces in its own process)."""
        ...
