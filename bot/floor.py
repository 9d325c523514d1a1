"""A floor under the notifications' share of the outbound budget (NOTIFY_FLOOR_PER_S).

Replies to a user's own action go first (bot/budget.py): while replies keep the whole budget
busy, no notification goes out at all, and with it no offer to a partner, no "picked up",
no "delivered": a long rush of browsing holds every order still. The floor keeps them
moving: up to `per_s` notifications a second take the budget's next token, ahead of the
waiting replies (from the same budget, so the total stays within it), and the sender may
claim that many even when the budget has nothing spare. A reply waits at most one token
longer for each. Notifications
beyond the floor still use only what replies leave. 0 turns it off.

It is per instance, like the concurrency: N instances give notifications up to N times
`per_s` out of the bot's shared budget.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable


class Floor:
    """A token bucket of `per_s` a second holding at most one token (none when 0)."""

    def __init__(self, per_s: float, *, clock: Callable[[], float] | None = None) -> None:
        self._rate = per_s
        self._tokens = 1.0 if per_s > 0 else 0.0
        self._clock = clock
        self._updated: float | None = None

    def available(self) -> int:
        """Whole tokens now (0 or 1)."""
        self._refill()
        return math.floor(self._tokens)

    def take(self) -> bool:
        """Takes a token when there is one."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def _refill(self) -> None:
        now = self._clock() if self._clock is not None else asyncio.get_running_loop().time()
        if self._updated is not None and now > self._updated:
            self._tokens = min(1.0, self._tokens + (now - self._updated) * self._rate)
        self._updated = now if self._updated is None else max(self._updated, now)
