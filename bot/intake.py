"""Where updates from Telegram enter the bot (DESIGN.md §4): filtered, then stored in the inbox,
and only then acknowledged by the caller (the poller moves its offset, the webhook answers 200).

`Intake.take` is the one way in, for polling and webhook alike. It takes updates as Telegram
sent them, as JSON, and reads of each only what screening and storing need (`Arrival`): PTB
parses an update when it is handled, not here, so a flood of updates turned away costs a few
dictionary lookups each (parsing 2,000 of them took longer than the answer a user waits for).
Its `admit` filter is the one place to drop an update before any database work (the per-user
inbound rate limit belongs there); an update it drops is acknowledged and never stored or
handled.

Updates that arrive while others are being stored (a webhook takes one update a request, many
at once) wait and are stored together in the next transaction: group commit, as the partners'
presses are written (domain/group_commit.py). Each caller returns only when its
own updates are committed; a batch that fails is tried again one caller at a time, so only a
caller whose own store fails hears of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.group_commit import Line, Waiting
from domain.inbox import InboundUpdate, Inbox
from domain.ports import Clock

STORED_TOGETHER = 64  # callers whose updates one transaction stores, at most


class MalformedUpdate(ValueError):
    """JSON that is not an update: no integer `update_id`, or no object beside it."""


@dataclass(frozen=True, slots=True)
class Arrival:
    """An update as Telegram sent it, with what the intake reads of it."""

    update_id: int
    kind: str  # "message", "callback_query", ...: the one key beside update_id
    payload: Mapping[str, Any]  # the whole update, stored as it came
    user_id: int | None  # who sent it (PTB's effective_user)
    chat_id: int | None  # where it came from (PTB's effective_chat)
    query_id: str | None  # a press's id, to answer it even when it is turned away

    @property
    def moves(self) -> bool:
        """A live location's move: Telegram sends each as an edit of the location message."""
        body = self.payload.get(self.kind) if self.kind == "edited_message" else None
        return isinstance(body, Mapping) and body.get("location") is not None

    @property
    def key(self) -> int:
        """The inbox's order key: its chat, else its user's private chat with the bot."""
        return self.chat_id if self.chat_id is not None else self.user_id or 0

    def stored(self) -> InboundUpdate:
        """The update as the inbox stores it: its JSON, its chat (the order key), its own date
        (a message's; the stale check measures from it)."""
        body = self.payload[self.kind]
        sent = body.get("date") if self.kind == "message" else None
        sent_at = datetime.fromtimestamp(sent, UTC) if isinstance(sent, int) else None
        return InboundUpdate(self.update_id, self.key, self.kind, dict(self.payload), sent_at)


def arrival(raw: Any) -> Arrival:
    """Reads an update's JSON; raises `MalformedUpdate` if it is not one."""
    if not isinstance(raw, dict):
        raise MalformedUpdate("not an object")
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise MalformedUpdate("no integer update_id")
    kind = next((key for key in raw if key != "update_id"), None)
    body = raw.get(kind) if kind is not None else None
    if kind is None or not isinstance(body, dict):
        raise MalformedUpdate(f"update {update_id} carries nothing")
    user = body.get("from") or body.get("user")  # poll answers and reactions say "user"
    chat = body.get("chat")
    if chat is None and isinstance(body.get("message"), dict):  # a press on a chat's message
        chat = body["message"].get("chat")
    query = body.get("id") if kind == "callback_query" else None
    return Arrival(update_id, kind, raw, _id(user), _id(chat),
                   query if isinstance(query, str) else None)


def _id(entity: Any) -> int | None:
    found = entity.get("id") if isinstance(entity, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


Admit = Callable[[Arrival], Awaitable[bool]]  # False drops the update before it is stored


async def keep_all(update: Arrival) -> bool:
    """The default filter: every update is stored and handled."""
    return True


@dataclass(eq=False)
class _Storing(Waiting):
    """One caller's admitted updates, waiting for a transaction."""

    updates: list[InboundUpdate]

    def keys(self) -> Iterable[Hashable]:
        return (update.update_id for update in self.updates)  # one copy of an update a batch


class Intake:
    """Filters, stores, and wakes whoever handles the stored updates."""

    def __init__(
        self, inbox: Inbox, clock: Clock, *, admit: Admit = keep_all,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self._inbox = inbox
        self._clock = clock
        self._admit = admit
        self._on_stored = on_stored
        self._line: Line[None, _Storing] = Line(nullcontext, self._store, tries=1,
                                                 most=STORED_TOGETHER)

    async def take(self, updates: Sequence[Arrival]) -> list[int]:
        """Stores the admitted updates, committed before it returns; returns the ids newly
        stored.

        Raises when storing fails: the caller must not acknowledge the updates then.
        """
        kept = [update.stored() for update in updates if await self._admit(update)]
        if not kept:
            return []
        stored: list[int] = await self._line.submit(_Storing(kept))
        if stored:
            self._on_stored()
        return stored

    async def _store(self, _transaction: None, batch: list[_Storing]) -> None:
        """Every caller's updates in one transaction (the inbox's own); each hears its own."""
        updates = [update for storing in batch for update in storing.updates]
        stored = set(await self._inbox.store(updates, self._clock.now()))
        for storing in batch:
            storing.answer = sorted(u.update_id for u in storing.updates
                                    if u.update_id in stored)
