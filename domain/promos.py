"""Promo codes: a discount off the dishes, for orders from a minimum, until a date, for a
number of uses in all and per customer (issue 13).

A code's use is counted once, when the order is placed, in the placing's transaction: storage
takes a use only while one is left (`Promos.take_use`), so two customers racing for
the last use get one order with the discount and one clear refusal. Pure: time comes in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol

from domain.errors import InvalidInput
from domain.ids import OrderId, UserId

CODE: Final = re.compile(r"[A-Z0-9][A-Z0-9_-]{2,19}")  # 3 to 20: SAVE10, DIWALI-50


def normalize_code(text: str) -> str:
    """A code as stored: trimmed and upper-cased; InvalidInput when it cannot be one."""
    code = text.strip().upper()
    if not CODE.fullmatch(code):
        raise InvalidInput("a promo code is 3 to 20 letters, digits, - or _")
    return code


class PromoProblem(StrEnum):
    """Why a code does not apply; the bot words each."""

    UNKNOWN = "unknown"
    ENDED = "ended"
    EXPIRED = "expired"
    USED_UP = "used_up"
    BELOW_MINIMUM = "below_minimum"
    USED_BY_YOU = "used_by_you"


@dataclass(frozen=True, slots=True)
class Promo:
    code: str
    percent: int | None  # a share of the dishes, 1-100; or
    amount: int | None  # a fixed amount off, minor units (never more than the dishes)
    min_order: int = 0  # the dishes must come to this much
    valid_until: datetime | None = None  # the code works before this moment
    total_uses: int | None = None  # None: no limit
    uses_per_customer: int = 1
    used: int = 0
    ended_at: datetime | None = None  # an admin ended it

    def __post_init__(self) -> None:
        normalize_code(self.code)
        if (self.percent is None) == (self.amount is None):
            raise InvalidInput("a promo is either a percentage or an amount off")
        if self.percent is not None and not 1 <= self.percent <= 100:
            raise InvalidInput("a percentage off must be 1 to 100")
        if self.amount is not None and self.amount <= 0:
            raise InvalidInput("an amount off must be above zero")
        if self.min_order < 0:
            raise InvalidInput("a minimum order cannot be negative")
        if self.total_uses is not None and self.total_uses < 1:
            raise InvalidInput("total uses must be at least 1")
        if self.uses_per_customer < 1:
            raise InvalidInput("uses per customer must be at least 1")

    def discount_for(self, subtotal: int) -> int:
        """The discount on dishes worth `subtotal`: a percentage rounds down to the minor unit."""
        if self.percent is not None:
            return subtotal * self.percent // 100
        return min(self.amount or 0, subtotal)

    def problem(self, subtotal: int, uses_by_customer: int, now: datetime) -> PromoProblem | None:
        """Why the code does not apply to this order now, or None when it does."""
        if self.ended_at is not None:
            return PromoProblem.ENDED
        if self.valid_until is not None and now >= self.valid_until:
            return PromoProblem.EXPIRED
        if self.total_uses is not None and self.used >= self.total_uses:
            return PromoProblem.USED_UP
        if uses_by_customer >= self.uses_per_customer:
            return PromoProblem.USED_BY_YOU
        if subtotal < self.min_order:
            return PromoProblem.BELOW_MINIMUM
        return None



class Promos(Protocol):
    """Promo codes as storage keeps them; never commits."""

    async def get(self, code: str) -> Promo | None: ...

    async def add(self, promo: Promo, at: datetime) -> None: ...

    async def latest(self, limit: int) -> Sequence[Promo]:
        """The newest codes, newest first."""
        ...

    async def end(self, code: str, at: datetime) -> bool:
        """Ends a code that has not ended; False otherwise."""
        ...

    async def uses_by(self, code: str, customer_id: UserId) -> int:
        """How many orders the customer has placed with the code."""
        ...

    async def take_use(
        self, promo: Promo, customer_id: UserId, order_id: OrderId, at: datetime
    ) -> bool:
        """Counts one use of the code for this order, in one conditional statement, if the
        code has not ended or expired at `at` and has a use left, in all and for this
        customer; False (and nothing changed) otherwise."""
        ...
