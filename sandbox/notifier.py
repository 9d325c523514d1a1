"""Change notification: wait for a condition over shared state with a deadline, no polling."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Notifier:
    """Every state change calls ``notify()``; waiters re-check their predicate on each change.

    The current event is replaced on every notify, so a waiter that grabbed the event before
    checking its predicate cannot miss a change (everything runs on one event loop).
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_for(self, probe: Callable[[], T | None], timeout: float | None) -> T:  # noqa: ASYNC109
        """Return the first non-None ``probe()`` result; raise TimeoutError after ``timeout``."""
        async with asyncio.timeout(timeout):
            while True:
                event = self._event
                result = probe()
                if result is not None:
                    return result
                await event.wait()
