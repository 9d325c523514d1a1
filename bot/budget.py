"""One outbound budget for the bot (DESIGN.md §7): replies first, notifications the rest.

A token bucket of `per_s` calls a second, the shape of Telegram's own limit (and of the local
Bot API server's), holding at most half a second's worth where Telegram's holds a second's:
a call is counted here when it leaves and there when it arrives, and while calls are on the
way Telegram's bucket may be full and lose refill that this one still counts. The half second
of slack keeps that from ever becoming a 429 for going too fast overall. Two kinds of
callers take from it:

- a reply (a handler answering a user's own action): takes a token at once when there is
  one; else it waits for the next, ahead of every waiting notification;
- a notification (the outbox sender): takes a token only when no reply is waiting. The
  sender asks `spare()` before it claims, so it claims no more than is left, and what it
  claimed waits here behind any reply that comes meanwhile.

This bucket lives in this process. With REDIS_URL every instance takes from one bucket in
Redis instead (bot/shared_budget.py, the same two kinds of callers) and falls back to this one
while Redis cannot be reached; notifications are also capped across instances by the database
(storage.pipeline.outbox.Pacing).
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from typing import Protocol

from domain.outbound_budget import burst


class Budget(Protocol):
    """What the rate limiter (bot/ratelimit.py) paces calls to chats with."""

    async def reply(self, *, first: bool = False) -> None:
        """Waits for a token, ahead of any notification; `first`: ahead of the waiting
        replies too (a notification within its floor, bot/floor.py)."""
        ...

    async def notify(self) -> None:
        """Waits for a token no reply wants."""
        ...

    async def spare(self) -> int:
        """Whole tokens free now and wanted by no reply: what notifications may claim."""
        ...

    async def close(self) -> None:
        """Stops whatever the budget runs in the background."""
        ...


class OutboundBudget:
    """Implements `Budget` in this process."""

    def __init__(self, per_s: float, *, clock: Callable[[], float] | None = None) -> None:
        self._rate = per_s
        self._capacity = float(burst(per_s))
        self._tokens = self._capacity
        self._clock = clock
        self._updated: float | None = None
        self._replies: deque[asyncio.Future[None]] = deque()
        self._notices: deque[asyncio.Future[None]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    async def reply(self, *, first: bool = False) -> None:
        """Waits for a token, ahead of any notification (and of the waiting replies when
        `first`)."""
        await self._take(self._replies, first=first)

    async def notify(self) -> None:
        """Waits for a token no reply wants."""
        await self._take(self._notices)

    async def spare(self) -> int:
        """Whole tokens free now and wanted by no one: what notifications may claim."""
        return self.spare_now()

    def spare_now(self) -> int:
        """`spare`, without waiting."""
        self._refill()
        waiting = len(self._replies) + len(self._notices)
        return max(0, math.floor(self._tokens) - waiting)

    async def close(self) -> None:
        """Nothing runs in the background."""

    async def _take(self, queue: deque[asyncio.Future[None]], *, first: bool = False) -> None:
        self._refill()
        if self._tokens >= 1 and not self._replies and (queue is self._replies
                                                         or not self._notices):
            self._tokens -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        if first:
            queue.appendleft(waiter)
        else:
            queue.append(waiter)
        self._schedule()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._tokens += 1  # granted just as it was cancelled: give it back
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def _hand_out(self) -> None:
        self._timer = None
        self._refill()
        for queue in (self._replies, self._notices):
            while queue and self._tokens >= 1:
                waiter = queue.popleft()
                if not waiter.done():
                    self._tokens -= 1
                    waiter.set_result(None)
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None or not (self._replies or self._notices):
            return
        delay = max(0.0, (1 - self._tokens) / self._rate)
        self._timer = asyncio.get_running_loop().call_later(delay, self._hand_out)

    def _refill(self) -> None:
        now = self._now()
        if self._updated is not None and now > self._updated:
            self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now if self._updated is None else max(self._updated, now)

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()
