"""How the bot takes its updates: screened at the door, then one lane per user (DESIGN.md §7).

PTB hands every update to the Application's update processor as it is taken in, in the order
Telegram sent them, each in a task of its own. `UserLanes` is that processor:

1. the inbound gate (bot/inbound.py) screens the update first, at once, before any handler
   or database work; a refused one is answered as it needs and goes no further;
2. an admitted one waits for its user's lane: one user's updates are handled one at a time,
   in order (a press never overtakes the message before it), while different users' updates
   are handled side by side, up to `MAX_CONCURRENT` at once.

So a user whose own replies are slow (a flood of them, Telegram's one message a second per
chat) holds up nobody but themselves. Screening at intake rather than in the lane matters:
a flooder's backlog is counted as it arrives, not as it drains.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.inbound import InboundGate

MAX_CONCURRENT = 32  # updates being handled at once, across users (the database pool's scale)
_UNBOUNDED = 1_000_000  # PTB's semaphore, left open (see UserLanes)


class _Lane:
    __slots__ = ("lock", "waiting")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()  # FIFO: the updates of one user keep their order
        self.waiting = 0


class UserLanes(BaseUpdateProcessor):
    """Screens each update with the gate, then handles one user's updates in order and
    different users' concurrently.

    PTB's own bound on concurrent updates is taken before `do_process_update` runs, so it
    would make updates wait before they are screened, and a flooder's admitted backlog
    waiting for its lane could hold every slot. So PTB's bound is left open and ours
    (`max_concurrent_updates` handlers running) is taken inside the lane.
    """

    def __init__(self, gate: InboundGate, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(_UNBOUNDED)
        self.gate = gate
        self.max_handling = max_concurrent_updates
        self._handling = asyncio.Semaphore(max_concurrent_updates)
        self._lanes: dict[int, _Lane] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if isinstance(update, Update):
            verdict = self.gate.screen(update)
            if not verdict.admitted:
                if inspect.iscoroutine(coroutine):
                    coroutine.close()  # never started: nothing of it ran
                await self.gate.turn_away(update, verdict)
                return
        key = _lane_of(update)
        if key is None:
            async with self._handling:
                await coroutine
            return
        lane = self._lanes.setdefault(key, _Lane())
        lane.waiting += 1
        try:
            async with lane.lock, self._handling:
                await coroutine
        finally:
            lane.waiting -= 1
            if lane.waiting == 0:
                del self._lanes[key]

    async def initialize(self) -> None:
        """Nothing to set up: lanes come and go with the updates."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _lane_of(update: object) -> int | None:
    """The user whose lane an update waits in (their chat's when it has no user)."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
