"""What is kept, and for how long (issue 16): nothing the service writes grows forever.

Rows that have served their purpose are deleted once older than `keep`: messages sent or given
up, queue tasks done, delivery offers closed (accepted, declined, expired, withdrawn), checkout
drafts nobody touched since. The phone numbers and shared locations of finished orders are
removed once older than `contacts` (the rider no longer needs them), and the rider's spots on
the map with them. Kept: orders and their events (the history, and what /stats counts), dead
tasks (/deadletters: they need an admin), the audit log, ratings, and the private lines' messages
(people's own data: /forgetme's). The inbox deletes its own handled updates after an hour.

Each kind is deleted a batch at a time, each batch its own short transaction, so a sweep never
holds the database for long; any number of instances may sweep at once (a row is deleted once,
whoever gets it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.ports import Clock

BATCH = 1000  # rows one statement deletes (or scrubs), at most
BATCHES_PER_RUN = 50  # batches of one kind in one run; the rest in the next, soon after
EVERY = timedelta(hours=1)  # between sweeps, once all is swept


class Swept(StrEnum):
    """What a sweep deletes (or, for contacts, scrubs), one kind a port method."""

    MESSAGES = "messages"  # outbox rows sent or given up
    TASKS = "tasks"  # queue tasks done
    OFFERS = "offers"  # delivery offers closed
    CHECKOUTS = "checkouts"  # checkout drafts untouched
    CONTACTS = "contacts"  # finished orders' phone and shared location
    RIDER_SPOTS = "rider_spots"  # the rider's spots of finished orders


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    keep: timedelta  # RETENTION_DAYS
    contacts: timedelta  # CONTACTS_KEEP_DAYS

    def cutoff(self, kind: Swept, now: datetime) -> datetime:
        """Rows of `kind` from before this go."""
        personal = kind in (Swept.CONTACTS, Swept.RIDER_SPOTS)
        return now - (self.contacts if personal else self.keep)


class RetentionStore(Protocol):
    async def sweep(self, kind: Swept, before: datetime, limit: int) -> int:
        """Deletes (scrubs, for contacts) up to `limit` rows of `kind` from before `before`;
        returns how many."""
        ...


@dataclass
class SweepReport:
    counts: dict[Swept, int] = field(default_factory=dict)
    done: bool = True  # False: a kind had more than a run's batches; more soon

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Retention:
    def __init__(self, store: RetentionStore, clock: Clock, policy: RetentionPolicy) -> None:
        self._store, self._clock, self._policy = store, clock, policy
        self.last = SweepReport()

    async def sweep(self) -> datetime:
        """One run: each kind a batch at a time until it is swept (or the run's batches are
        spent); returns when to run again."""
        now, report = self._clock.now(), SweepReport()
        for kind in Swept:
            before, swept = self._policy.cutoff(kind, now), 0
            for _ in range(BATCHES_PER_RUN):
                deleted = await self._store.sweep(kind, before, BATCH)
                swept += deleted
                if deleted < BATCH:
                    break
            else:
                report.done = False
            report.counts[kind] = swept
        self.last = report
        return now if not report.done else now + EVERY
