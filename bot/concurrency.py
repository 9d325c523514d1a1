"""Updates of different users are handled at once; one user's in the order they came
(DESIGN.md §7).

PTB handles updates one after another by default, so a reply waiting out one chat's 429
(or retrying through a Telegram timeout) would hold up every other user's update behind it.
`PerUserUpdates` starts each update as soon as it arrives unless an earlier update of the same
user is still being handled; then it waits for that one, and only that one. Waiting for its
turn takes none of the `max_running` places, so one user's backlog never crowds out the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_RUNNING = 256  # updates handled at the same time, across users
_UNBOUNDED = 1_000_000  # PTB's own gate: left wide open, `max_running` bounds the work


class PerUserUpdates(BaseUpdateProcessor):
    """Concurrent across users, in order per user."""

    def __init__(self, max_running: int = MAX_RUNNING) -> None:
        super().__init__(_UNBOUNDED)
        self._running = asyncio.BoundedSemaphore(max_running)
        self._last: dict[int, asyncio.Event] = {}  # user -> done signal of their newest update

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _user_of(update)
        before = self._last.get(key) if key is not None else None
        done = asyncio.Event()
        if key is not None:
            self._last[key] = done
        started = False
        try:
            if before is not None:
                await before.wait()
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting: it never ran
            done.set()
            if key is not None and self._last.get(key) is done:
                del self._last[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the Application waits for the updates it started."""


def _user_of(update: object) -> int | None:
    """Whose update this is (the chat's, when it has no user); None: no order to keep."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
