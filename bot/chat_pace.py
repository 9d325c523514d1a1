"""What this process sent to each chat lately, as Telegram counts it: about one message a
second per chat after a burst of three (RATE_LIMIT_PER_CHAT_PER_S).

The outbox sender paces its own messages per chat from the database, but a customer's chat
also gets the bot's replies: right after checkout's replies used the chat's burst, the first
"on its way" went out at once and met a 429, and then waited out Telegram's retry_after.
Every new message to a chat (a reply or a notification) takes a token here; a notification
to a chat with none left is told to wait (`wait`) before Telegram is asked, and goes out as
soon as the chat has room. Replies are never held back by it: they go first. Edits are not
counted, as Telegram does not count them against a chat's messages.

Per process: instances do not see each other's replies (a reply and a notification to one
chat from two instances may still meet a 429, which then holds back only that chat).
"""

from __future__ import annotations

import time
from collections.abc import Callable

BURST = 3  # messages a chat takes at once before the per-second rate applies
_PRUNE_AT = 10_000  # chats remembered before those back to a full burst are forgotten


class ChatPace:
    """A token bucket of `per_s` a second and `BURST` tokens per chat."""

    def __init__(self, per_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_s
        self._clock = clock
        self._chats: dict[object, tuple[float, float]] = {}  # chat -> (tokens, at)

    def wait(self, chat: object) -> float:
        """Seconds until the chat may take another message (0: now)."""
        tokens = self._tokens(chat, self._clock())
        return 0.0 if tokens >= 1 else (1 - tokens) / self._rate

    def took(self, chat: object) -> None:
        """A message to the chat went out (a reply may leave it owing: below zero)."""
        now = self._clock()
        self._chats[chat] = (self._tokens(chat, now) - 1, now)
        if len(self._chats) > _PRUNE_AT:
            self._chats = {c: v for c, v in self._chats.items() if self._tokens(c, now) < BURST}

    def _tokens(self, chat: object, now: float) -> float:
        tokens, at = self._chats.get(chat, (BURST, now))
        return min(BURST, tokens + (now - at) * self._rate)
