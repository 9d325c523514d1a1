"""Where updates from Telegram enter the bot (DESIGN.md §4): filtered, then stored in the inbox,
and only then acknowledged by the caller (the poller moves its offset, the webhook answers 200).

`Intake.take` is the one way in, for polling and webhook alike. Its `admit` filter is the one
place to drop an update before any database work (the per-user inbound rate limit belongs
there); an update it drops is acknowledged and never stored or handled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC

from telegram import Update

from domain.inbox import InboundUpdate, Inbox
from domain.ports import Clock

Admit = Callable[[Update], Awaitable[bool]]  # False drops the update before it is stored


async def keep_all(update: Update) -> bool:
    """The default filter: every update is stored and handled."""
    return True


def chat_of(update: Update) -> int | None:
    """Where the update came from: its chat, else its user's private chat with the bot."""
    chat, user = update.effective_chat, update.effective_user
    return chat.id if chat is not None else user.id if user is not None else None


def inbound(update: Update) -> InboundUpdate:
    """The update as the inbox stores it: its JSON, its chat (the order key), its own date."""
    payload = update.to_dict()
    kind = next((key for key in payload if key != "update_id"), "unknown")
    key = chat_of(update) or 0
    sent_at = update.message.date.astimezone(UTC) if update.message is not None else None
    return InboundUpdate(update.update_id, key, kind, payload, sent_at)


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

    async def take(self, updates: Sequence[Update]) -> list[int]:
        """Stores the admitted updates in one transaction; returns the ids newly stored.

        Raises when storing fails: the caller must not acknowledge the updates then.
        """
        kept = [update for update in updates if await self._admit(update)]
        if not kept:
            return []
        stored = await self._inbox.store([inbound(update) for update in kept], self._clock.now())
        if stored:
            self._on_stored()
        return stored
