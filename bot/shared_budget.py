"""The outbound budget shared by every instance (with REDIS_URL; the rule:
domain/outbound_budget.py, the bucket: storage/shared_budget.py).

Implements `bot.budget.Budget` like the in-process bucket, with the same two kinds of callers,
over one bucket in Redis that all instances take from:

- replies: a reply takes a token leased ahead when this instance holds one (no round trip);
  else it queues, and one pump per instance asks Redis for as many tokens as replies wait,
  plus up to `LEASE_AHEAD` more when this instance replied within the last `HOLD_S` (busy: more
  replies are coming). Those are held for replies only, for `HOLD_S`, then given back to the
  bucket with the next call. A reply queued here goes ahead of every notification queued here.
- notifications: take only what lies above the reserve (`domain.outbound_budget.reserve`), so
  replies on every instance find tokens first; queued notifications are asked for together,
  waiting until the bucket holds a few above the reserve (fewer round trips), and a reply that
  comes meanwhile wakes the pump at once.
- `spare()` reads the bucket (one round trip a sender tick): what lies above the reserve, less
  what waits here.

While Redis cannot be reached (a call fails or takes over 0.5 s), every call here and every
waiting one is paced by this instance's own bucket (`OutboundBudget`), as without Redis, and
Redis is tried again every `RECHECK_S`; storage/shared_budget.py logs the loss and the return
once each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Callable

from bot.budget import OutboundBudget
from domain.outbound_budget import Grant, SharedTokens, reserve, shared_burst

logger = logging.getLogger(__name__)

HOLD_S = 0.25  # tokens leased ahead and not used within this go back to the bucket
LEASE_AHEAD = 2  # at most this many (and a third of the burst) leased ahead of the replies
GATHER = 3  # waiting calls wait until the bucket should hold this many for them (fewer asks)
RECHECK_S = 1.0  # while Redis cannot be reached, how often it is tried again
MIN_PAUSE_S = 0.002  # the pump's shortest wait for the bucket to refill

Waiter = asyncio.Future[bool]  # True: granted a shared token; False: pace in this process


class SharedBudget:
    """Implements `bot.budget.Budget` over `tokens`, the bucket all instances share."""

    def __init__(self, tokens: SharedTokens, per_s: float, *,
                 clock: Callable[[], float] | None = None) -> None:
        self.local = OutboundBudget(per_s, clock=clock)  # while Redis cannot be reached
        self._tokens, self._rate, self._clock = tokens, per_s, clock
        self._reserve = reserve(per_s)
        self._ahead = min(LEASE_AHEAD, max(1, shared_burst(per_s) // 3))
        self._replies: deque[Waiter] = deque()
        self._notices: deque[Waiter] = deque()
        self._held, self._held_until, self._returning = 0, 0.0, 0
        self._recent: deque[float] = deque()  # when replies here got tokens, within HOLD_S
        self._pump: asyncio.Task[None] | None = None
        self._probe: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._waiting_for_notices = False
        self.down = False  # Redis could not be reached: pacing in this process

    async def reply(self, *, first: bool = False) -> None:
        self._expire()
        if self.down:
            await self.local.reply(first=first)
        elif self._held > 0 and (first or not self._replies):
            self._held -= 1
            self._note_reply()
        elif not await self._wait(self._replies, first=first):
            await self.local.reply(first=first)

    async def notify(self) -> None:
        if self.down or not await self._wait(self._notices):
            await self.local.notify()

    async def spare(self) -> int:
        grant = None if self.down else await self._call(0, keep=self._reserve)
        if grant is None:
            return self.local.spare_now()
        waiting = len(self._replies) + len(self._notices)
        return max(0, math.floor(grant.left) - self._reserve - waiting)

    async def close(self) -> None:
        for task in (self._pump, self._probe):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._release()

    async def _wait(self, queue: deque[Waiter], *, first: bool = False) -> bool:
        waiter: Waiter = asyncio.get_running_loop().create_future()
        if first:
            queue.appendleft(waiter)
        else:
            queue.append(waiter)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run(), name="outbound-budget")
        elif queue is self._replies and self._waiting_for_notices:
            self._wake.set()
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self._returning += 1  # granted just as it was cancelled: give it back
            elif waiter in queue:
                queue.remove(waiter)
            raise

    async def _run(self) -> None:
        """Asks the bucket for what waits here until nothing does (one pump per instance)."""
        try:
            while self._replies or self._notices:
                replies = bool(self._replies)
                want = (len(self._replies) + min(self._ahead, len(self._recent)) if replies
                        else len(self._notices))
                grant = await self._call(want, keep=0 if replies else self._reserve)
                if grant is None:
                    return
                self._hand_out(grant.granted, leasing=replies)
                if self._replies or self._notices:
                    await self._pause(grant)
        except Exception:  # never leave a waiter hanging
            logger.exception("outbound budget: the shared pump failed; pacing in this "
                             "instance alone")
            self._went_down()

    def _hand_out(self, granted: int, *, leasing: bool) -> None:
        """Replies first; tokens asked for replies never go to notifications (which may
        take only what lies above the reserve): those left over are held for replies."""
        for queue in (self._replies,) if leasing else (self._replies, self._notices):
            while granted and queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(True)
                    granted -= 1
                    if queue is self._replies:
                        self._note_reply()
        if granted and leasing:  # leased ahead: for this instance's next replies
            self._held += granted
            self._held_until = self._now() + HOLD_S
        else:
            self._returning += granted

    async def _pause(self, grant: Grant) -> None:
        """Until the bucket should hold a token for each waiting reply (a few at most: fewer
        round trips when instances compete), or a few above the reserve for the waiting
        notifications (a reply arriving meanwhile wakes it)."""
        self._waiting_for_notices = not self._replies
        level = (min(len(self._replies), GATHER) if self._replies
                 else self._reserve + min(len(self._notices), GATHER))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(),
                                   max(MIN_PAUSE_S, (level - grant.left) / self._rate))
        self._waiting_for_notices = False

    async def _call(self, want: int, *, keep: int) -> Grant | None:
        self._expire()
        returned, self._returning = self._returning, 0
        grant = await self._tokens.take(want, keep=keep, returned=returned)
        if grant is None:
            self._went_down()
        return grant

    def _went_down(self) -> None:
        self.down = True
        self._release()
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._recheck(), name="outbound-budget-probe")

    def _release(self) -> None:
        """Every waiting call goes to this instance's bucket."""
        for queue in (self._replies, self._notices):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(False)

    async def _recheck(self) -> None:
        while self.down:
            await asyncio.sleep(RECHECK_S)  # a pause between attempts, not a synchronisation
            try:
                back = await self._tokens.take(0) is not None
            except Exception:  # as unreachable: logged when the pump failed
                back = False
            self.down = not back

    def _note_reply(self) -> None:
        self._recent.append(self._now())

    def _expire(self) -> None:
        now = self._now()
        while self._recent and self._recent[0] <= now - HOLD_S:
            self._recent.popleft()
        if self._held and now >= self._held_until:
            self._returning += self._held
            self._held = 0

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()
