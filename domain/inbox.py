"""The durable inbox (DESIGN.md §4), the mirror of the outbox.

Every update from Telegram is stored, keyed by its `update_id`, before it is acknowledged
(before the polling offset moves past it, before a webhook answers 200). Handlers work from
the stored rows, per chat in order, and mark each one done; a restart handles what is left.

The guarantee: an update Telegram delivered is handled at least once. It is handled twice
only when the process dies (or loses its lease) after its handler ran and before the row was
marked done; the domain's moves are idempotent and guarded, so what an update does to an
order happens exactly once even then, and at worst a reply is repeated. A redelivered update
(same `update_id`) is never stored twice, so it is never handled again once done.

Who polls is decided by a named lease in the same database (`Leases`), so two instances on
one bot token never fight over `getUpdates`: one polls, the other stands by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.pipeline.ports import Lease


@dataclass(frozen=True, slots=True)
class InboundUpdate:
    """An update as Telegram delivered it, about to be stored."""

    update_id: int
    chat_id: int  # the per-chat order key: the chat, else the user, else 0
    kind: str  # "message", "callback_query", ...
    payload: Mapping[str, object]  # the update's JSON, as Telegram sent it
    sent_at: datetime | None  # the update's own date, when it carries one (a message does)


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    """An update claimed from the inbox for handling."""

    update_id: int
    chat_id: int
    kind: str
    payload: Mapping[str, object]
    sent_at: datetime | None
    received_at: datetime  # when it was stored
    attempts: int  # claims so far, this one included
    language: str | None = None  # the chat's stored language, read with it (bot/languages.py)


class Verdict(StrEnum):
    HANDLE = "handle"
    STALE = "stale"  # too old to act on: the user is asked to try again
    GIVE_UP = "give_up"  # claimed again and again (its handling keeps dying): same answer


@dataclass(frozen=True, slots=True)
class InboxPolicy:
    """What to do with a claimed update."""

    stale_after: timedelta
    max_attempts: int = 5

    def verdict(self, update: StoredUpdate, now: datetime) -> Verdict:
        """An update is judged by its own date when it has one (a message: Telegram's time of
        sending), otherwise by when it was stored (a button press carries no date)."""
        if update.attempts > self.max_attempts:
            return Verdict.GIVE_UP
        born = update.sent_at or update.received_at
        if now - born > self.stale_after:
            return Verdict.STALE
        return Verdict.HANDLE


class Inbox(Protocol):
    """The inbox's storage. Rows are leased to the worker handling them, like queue tasks."""

    async def store(self, updates: Sequence[InboundUpdate], now: datetime) -> list[int]:
        """Stores, in one transaction, those of `updates` not stored before; returns their
        update ids. A redelivered update id is skipped, done or not."""
        ...

    async def claim(self, lease: Lease, *, finished: Sequence[int] = ()) -> list[StoredUpdate]:
        """In one transaction: marks `finished` done, then leases up to `lease.limit` updates,
        for each chat only its oldest one not done, and only when no live lease holds that
        one; oldest first."""
        ...

    async def release(self, update_ids: Sequence[int]) -> None:
        """Gives claimed updates back, not done, for any worker to claim at once; the claim
        does not count as an attempt."""
        ...

    async def renew(self, worker: str, until: datetime) -> None:
        """Extends the leases `worker` holds on updates not done yet."""
        ...

    async def prune(self, done_before: datetime) -> int:
        """Deletes the updates marked done before `done_before`; returns how many."""
        ...


class Leases(Protocol):
    """Named leases shared by every instance on the database (e.g. who polls Telegram)."""

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> str:
        """Takes `name` for `holder` until `until` when it is free, expired or already
        theirs; returns who holds it now (`holder` when taken or renewed)."""
        ...

    async def release(self, name: str, holder: str) -> None:
        """Frees `name` if `holder` holds it."""
        ...
