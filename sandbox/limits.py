"""Telegram-like flood limits: token buckets per chat and globally.

A message sent with `allow_paid_broadcast` (Bot API 7.11: up to 1000 messages a second, each
paid for in Stars from the bot's balance) is counted against its own overall bucket,
`paid_per_s`, instead of the free ~30 a second; it still meets its chat's limit. Edits take no
such parameter in the Bot API (editMessageText has none): one sent with it is an ordinary
call. `SendLog` keeps what was accepted, per second of the server's clock, and how many
messages were paid for.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.errors import too_many_requests

logger = logging.getLogger("sandbox.server")  # its 429s: tests and benchmarks count them there

Clock = Callable[[], float]

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendlocation",
                          "sendcontact", "sendinvoice"})
EDIT_METHODS = frozenset({"editmessagetext", "editmessagereplymarkup", "editmessagecaption",
                          "editmessagelivelocation", "stopmessagelivelocation"})
PAID_METHODS = SEND_METHODS  # those that take allow_paid_broadcast (all the sends served here)


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Token-bucket limits for message-sending methods (edits only if ``count_edits``)."""

    per_chat_per_s: float = 1.0
    per_chat_burst: int = 3
    global_per_s: float = 30.0
    global_burst: int = 30
    count_edits: bool = False
    paid_per_s: float = 1000.0  # messages sent with allow_paid_broadcast, all chats together
    paid_burst: int = 1000


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
        self._paid = TokenBucket(limits.paid_per_s, limits.paid_burst, clock())
        self._chats: dict[int, TokenBucket] = {}

    def applies_to(self, method: str) -> bool:
        return method in SEND_METHODS or (self.limits.count_edits and method in EDIT_METHODS)

    def _chat(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = TokenBucket(
                self.limits.per_chat_per_s, self.limits.per_chat_burst, now)
        return bucket

    def check(self, chat_id: int, *, paid: bool = False) -> int | None:
        """None if a message to chat_id may be sent now, else retry_after (whole seconds ≥ 1);
        `paid`: a paid broadcast, counted against the paid overall bucket."""
        now = self._clock()
        overall = self._paid if paid else self._global
        wait = max(self._chat(chat_id, now).wait_time(now), overall.wait_time(now))
        if wait <= 0:
            return None
        if math.isinf(wait):
            return 3600
        return max(1, math.ceil(wait - 1e-9))

    def consume(self, chat_id: int, *, paid: bool = False) -> None:
        now = self._clock()
        self._chat(chat_id, now).take(now)
        (self._paid if paid else self._global).take(now)


def admit(limiter: RateLimiter | None, method: str, chat_id: int | None, *,
          paid: bool) -> int | None:
    """The chat id to charge once the call succeeded (None: not limited), or raises 429
    (before any side effect)."""
    if limiter is None or not limiter.applies_to(method) or chat_id is None:
        return None
    retry_after = limiter.check(chat_id, paid=paid)
    if retry_after is not None:
        logger.info("rate limit: %s to chat %s, retry after %s", method, chat_id, retry_after)
        raise too_many_requests(retry_after)
    return chat_id


def is_paid(method: str, allow_paid_broadcast: bool) -> bool:
    """A call Telegram would count (and charge) as a paid broadcast."""
    return allow_paid_broadcast and method in PAID_METHODS


class SendLog:
    """The messages the server accepted (the send methods, with or without flood limits), per
    whole second of its clock, free and paid apart: a test or a benchmark reads how fast they
    came and how many paid broadcasts Telegram would charge for."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._free: Counter[int] = Counter()
        self._paid: Counter[int] = Counter()

    def record(self, method: str, *, paid: bool) -> None:
        if method in SEND_METHODS:
            (self._paid if paid else self._free)[math.floor(self._clock())] += 1

    @property
    def paid(self) -> int:
        """Paid broadcasts accepted so far: Telegram would charge each in Stars."""
        return self._paid.total()

    @property
    def free(self) -> int:
        return self._free.total()

    def busiest_second(self, *, paid: bool) -> int:
        """The most messages of the kind accepted within one whole second of the clock."""
        counts = self._paid if paid else self._free
        return max(counts.values(), default=0)
