"""Promo codes in SQL: each use counted by conditional statements that hold under races."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ids import OrderId, UserId
from domain.promos import Promo
from storage.sql import PROMO_USES, PROMOS, execute_count

_P, _U = PROMOS.c, PROMO_USES.c


class SqlPromos:
    """Implements `domain.promos.Promos`; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, code: str) -> Promo | None:
        row = (await self._session.execute(
            select(PROMOS).where(_P.code == code))).mappings().first()
        return _promo(row) if row is not None else None

    async def add(self, promo: Promo, at: datetime) -> None:
        await self._session.execute(insert(PROMOS).values(
            code=promo.code, percent=promo.percent, amount=promo.amount,
            min_order=promo.min_order, valid_until=promo.valid_until,
            total_uses=promo.total_uses, uses_per_customer=promo.uses_per_customer,
            used=promo.used, ended_at=promo.ended_at, created_at=at,
        ))

    async def latest(self, limit: int) -> Sequence[Promo]:
        stmt = select(PROMOS).order_by(_P.created_at.desc(), _P.code).limit(limit)
        return [_promo(row) for row in (await self._session.execute(stmt)).mappings()]

    async def end(self, code: str, at: datetime) -> bool:
        stmt = update(PROMOS).where(_P.code == code, _P.ended_at.is_(None)).values(ended_at=at)
        return await execute_count(self._session, stmt) == 1

    async def uses_by(self, code: str, customer_id: UserId) -> int:
        stmt = select(func.count()).where(_U.code == code, _U.customer_id == customer_id)
        return int((await self._session.execute(stmt)).scalar_one())

    async def take_use(
        self, promo: Promo, customer_id: UserId, order_id: OrderId, at: datetime
    ) -> bool:
        number = await self.uses_by(promo.code, customer_id) + 1
        if number > promo.uses_per_customer:
            return False
        # one statement decides, so a racing placing sees the count this one left
        taken = update(PROMOS).where(
            _P.code == promo.code, _P.ended_at.is_(None),
            or_(_P.valid_until.is_(None), _P.valid_until > at),
            or_(_P.total_uses.is_(None), _P.used < _P.total_uses),
        ).values(used=_P.used + 1)
        if await execute_count(self._session, taken) != 1:
            return False
        # the customer's `number`th use: a second placing racing for it fails on the key
        await self._session.execute(insert(PROMO_USES).values(
            code=promo.code, customer_id=customer_id, number=number, order_id=order_id,
            used_at=at))
        return True


def _promo(row: RowMapping) -> Promo:
    return Promo(
        code=row["code"], percent=row["percent"], amount=row["amount"],
        min_order=row["min_order"], valid_until=row["valid_until"],
        total_uses=row["total_uses"], uses_per_customer=row["uses_per_customer"],
        used=row["used"], ended_at=row["ended_at"],
    )
