"""Promo codes as admins run them: add, list, end; every change audited (issue 13)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import InvalidInput
from domain.ids import UserId
from domain.money import Money
from domain.ports import Clock
from domain.promos import Promo
from domain.services.admin.common import found, record
from domain.services.admin.ports import AdminUowFactory

LISTED = 30  # codes /promos shows, newest first


def valid_through(day: date) -> datetime:
    """The moment a code valid through `day` (UTC) stops working: the next midnight."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def promo_target(code: str) -> str:
    return f"promo {code}"


class PromoAdmin:
    def __init__(self, uows: AdminUowFactory, clock: Clock, currency: str) -> None:
        self._uows = uows
        self._clock = clock
        self._currency = currency

    async def add(self, actor: UserId, promo: Promo) -> Promo:
        """A new code; refused when the code exists or its last day is over."""
        now = self._clock.now()
        if promo.valid_until is not None and promo.valid_until <= now:
            raise InvalidInput("the code's last day is over already")
        async with self._uows() as uow:
            taken = await uow.promos.get(promo.code)
            if taken is not None:
                raise InvalidInput("a promo code {code} exists already", code=taken.code)
            await uow.promos.add(promo, now)
            await record(uow, self._clock, actor, "add_promo", promo_target(promo.code),
                         describe(promo, self._currency))
            await uow.commit()
        return promo

    async def latest(self) -> Sequence[Promo]:
        async with self._uows() as uow:
            return await uow.promos.latest(LISTED)

    async def end(self, actor: UserId, code: str) -> Promo:
        """Ends a code at once: summaries showing it lose the discount before placing."""
        async with self._uows() as uow:
            promo = found(await uow.promos.get(code), "promo code", code)
            if not await uow.promos.end(code, self._clock.now()):
                raise InvalidInput("{code} has ended already", code=code)
            await record(uow, self._clock, actor, "end_promo", promo_target(code))
            await uow.commit()
            return promo


def describe(promo: Promo, currency: str) -> str:
    """'10% off | from ₹300.00 | until 2026-12-31 | 100 uses | 1 per customer'."""
    off = f"{promo.percent}% off" if promo.percent is not None else (
        f"{Money(promo.amount or 0, currency)} off")
    parts = [off]
    if promo.min_order:
        parts.append(f"from {Money(promo.min_order, currency)}")
    if promo.valid_until is not None:
        parts.append(f"until {(promo.valid_until - timedelta(days=1)):%Y-%m-%d}")
    parts.append(f"{promo.total_uses} uses" if promo.total_uses is not None else "no use limit")
    parts.append(f"{promo.uses_per_customer} per customer")
    return " | ".join(parts)
