"""Telling this process's queue worker and sender that a commit gave them work (§4).

Storage knows what a transaction wrote: due tasks (a new one, a retry, a follow-up step, a
dead task revived) or outbox rows. Once such a transaction has committed, it calls the
`Wakes` built at the composition root (bot/wakeup.py), and the job concerned runs promptly
instead of at its next fallback look. Only after the commit: a worker woken earlier would
not see the rows yet. What other processes commit is not heard here; their work is found by
the jobs' fallback look and by their sleeping until the next due time they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Wakes(Protocol):
    def tasks_written(self) -> None:
        """A commit wrote queue tasks (due now or later): the worker looks again."""
        ...

    def messages_written(self) -> None:
        """A commit wrote outbox rows: the sender looks again."""
        ...


class NoWakes:
    """For what runs without the jobs (`foodbot seed`, scripts): nobody to wake."""

    def tasks_written(self) -> None:
        pass

    def messages_written(self) -> None:
        pass


@dataclass
class Written:
    """What one transaction has written so far for the jobs; `tell` after it committed."""

    tasks: bool = False
    messages: bool = False

    def tell(self, wakes: Wakes) -> None:
        """Wakes the jobs concerned and starts over for the next transaction."""
        if self.tasks:
            wakes.tasks_written()
        if self.messages:
            wakes.messages_written()
        self.clear()

    def clear(self) -> None:
        self.tasks = self.messages = False
