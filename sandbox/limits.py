"""Telegram-like flood limits: token buckets per chat and globally."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendlocation",
                          "sendcontact"})
EDIT_METHODS = frozenset({"editmessagetext", "editmessagereplymarkup", "editmessagecaption"})


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Token-bucket limits for message-sending methods (edits only if ``count_edits``)."""

    per_chat_per_s: float = 1.0
    per_chat_burst: int = 3
    global_per_s: float = 30.0
    global_burst: int = 30
    count_edits: bool = False


class TokenBucket:
    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(max(capacity, 1))
        self.tokens = self.capacity
        self.updated = now

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = max(self.updated, now)

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if available now)."""
        self._refill(now)
        if self.tokens >= 1.0:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0


class RateLimiter:
    """``check`` before performing a call and ``consume`` after it succeeded."""

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._global = TokenBucket(limits.global_per_s, limits.global_burst, clock())
        self._chats: dict[int, TokenBucket] = {}

    def applies_to(self, method: str) -> bool:
        return method in SEND_METHODS or (self.limits.count_edits and method in EDIT_METHODS)

    def _chat(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = TokenBucket(
                self.limits.per_chat_per_s, self.limits.per_chat_burst, now)
        return bucket

    def check(self, chat_id: int) -> int | None:
        """None if a message to chat_id may be sent now, else retry_after (whole seconds ≥ 1)."""
        now = self._clock()
        wait = max(self._chat(chat_id, now).wait_time(now), self._global.wait_time(now))
        if wait <= 0:
            return None
        if math.isinf(wait):
            return 3600
        return max(1, math.ceil(wait - 1e-9))

    def consume(self, chat_id: int) -> None:
        now = self._clock()
        self._chat(chat_id, now).take(now)
        self._global.take(now)
