"""This process's wake-ups for its two jobs, the order queue's worker and the outbox sender.

Built once at the composition root (bot/wiring.py) and handed to storage, which calls
`tasks_written` / `messages_written` after a commit that wrote work (storage/wakes.py); the
job's loop (bot/jobs.py) waits on its `Signal`. Setting a signal any number of times before
its job takes it is one wake-up: a burst of commits is one more run, never a second run at
the same time.
"""

from __future__ import annotations

import asyncio
import contextlib


class Signal:
    """One job's wake-up. Set from the event loop's thread (commits run there)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    def take(self) -> None:
        """The job is about to look: what was set so far is seen by this run."""
        self._event.clear()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    async def wait(self, timeout_s: float) -> None:
        """Returns once set (at once if it is), or after `timeout_s`."""
        if timeout_s <= 0 or self._event.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout_s)


class Wakeup:
    """Implements storage.wakes.Wakes for the jobs of this process."""

    def __init__(self) -> None:
        self.queue = Signal()
        self.outbox = Signal()
        self.rider_map = Signal()  # a rider moved: the map job looks now

    def tasks_written(self) -> None:
        self.queue.set()

    def messages_written(self) -> None:
        self.outbox.set()
