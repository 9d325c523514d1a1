"""Is this instance healthy (DESIGN.md §7)? The rule a load balancer's health check asks.

Healthy means the database answers and the work it holds is not falling behind: the durable
queue's oldest due task and the outbox's oldest due message have waited no longer than their
limits. What is due but waiting a little is normal (a tick is half a second, a chat gets one
message a second); what waits past the limit means no instance is working it.

Pure: the backlog is read by storage (`OpsReader`), the time comes in as `now`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Backlog:
    """Work waiting in the database, as one instance sees it at one moment."""

    queue_depth: int  # tasks pending (due or later)
    queue_due: int  # of them, due now
    queue_oldest_due: datetime | None  # when the oldest due task was due
    dead_letters: int  # tasks the queue gave up on
    outbox_backlog: int  # messages neither sent nor given up
    outbox_oldest_due: datetime | None  # when the oldest due message was due
    inbox_backlog: int  # updates stored, not yet handled
    inbox_oldest: datetime | None  # when the oldest of them was stored

    def queue_lag(self, now: datetime) -> timedelta:
        return _age(self.queue_oldest_due, now)

    def outbox_lag(self, now: datetime) -> timedelta:
        return _age(self.outbox_oldest_due, now)

    def inbox_lag(self, now: datetime) -> timedelta:
        return _age(self.inbox_oldest, now)


@dataclass(frozen=True, slots=True)
class WriterFigures:
    """This process's turns at a SQLite file's one writer (storage/write_lock.py), counted
    since it started: held most of the time, the writer is what limits the process."""

    turns: int  # writers that held it
    waits: int  # writers that found it held and waited in line (those that gave up too)
    held_s: float  # seconds it was held by anyone
    waited_s: float  # seconds writers spent waiting in line, summed over them


@dataclass(frozen=True, slots=True)
class HealthLimits:
    """How long due work may wait before the instance reports itself unhealthy."""

    queue_lag: timedelta
    outbox_lag: timedelta


def problems(backlog: Backlog, limits: HealthLimits, now: datetime) -> list[str]:
    """What is wrong, one line each, worded for an operator; empty when healthy."""
    found = []
    queue, outbox = backlog.queue_lag(now), backlog.outbox_lag(now)
    if queue > limits.queue_lag:
        found.append(f"queue: the oldest due task has waited {_s(queue)}, "
                     f"over the limit of {_s(limits.queue_lag)}")
    if outbox > limits.outbox_lag:
        found.append(f"outbox: the oldest due message has waited {_s(outbox)}, "
                     f"over the limit of {_s(limits.outbox_lag)}")
    return found


class OpsReader(Protocol):
    """What health checks and metrics read from storage; every query cheap on big tables."""

    async def backlog(self, now: datetime) -> Backlog: ...

    async def orders_by_status(self) -> Mapping[str, int]: ...

    def writer(self) -> WriterFigures | None:
        """The turns at the database's one writer; None where writers do not take turns in
        the process (PostgreSQL)."""
        ...


def _age(since: datetime | None, now: datetime) -> timedelta:
    if since is None or since >= now:
        return timedelta(0)
    return now - since


def _s(span: timedelta) -> str:
    return f"{span.total_seconds():.0f} s"
