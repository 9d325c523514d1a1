"""Payments and refunds in SQL (domain.payments.Payments)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ids import OrderId, UserId
from domain.payments import Payment, Refund
from storage.sql import PAYMENTS, REFUNDS, execute_count

_P, _R = PAYMENTS.c, REFUNDS.c


class SqlPayments:
    """Implements `domain.payments.Payments`; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def order_of(self, telegram_charge_id: str) -> OrderId | bool | None:
        row = (await self._session.execute(
            select(_P.order_id).where(_P.telegram_charge_id == telegram_charge_id))).first()
        if row is None:
            return False
        return OrderId(row[0]) if row[0] is not None else None

    async def add(self, payment: Payment, order_id: OrderId | None, tip: int,
                  at: datetime) -> None:
        await self._session.execute(insert(PAYMENTS).values(
            telegram_charge_id=payment.telegram_charge_id,
            provider_charge_id=payment.provider_charge_id, customer_id=payment.customer_id,
            payload=payment.payload, order_id=order_id, currency=payment.currency,
            total=payment.total, tip=tip, received_at=at))

    async def add_refund(self, payment: Payment, order_id: OrderId | None, amount: int,
                         reason: str, at: datetime) -> Refund:
        refund_id = (await self._session.execute(insert(REFUNDS).values(
            telegram_charge_id=payment.telegram_charge_id, order_id=order_id,
            customer_id=payment.customer_id, amount=amount, currency=payment.currency,
            reason=reason[:300], created_at=at,
        ).returning(_R.id))).scalar_one()
        return Refund(refund_id, payment.customer_id, order_id, amount, payment.currency,
                      reason[:300], payment.telegram_charge_id, payment.provider_charge_id, at)

    async def refund_of(self, telegram_charge_id: str) -> Refund | None:
        row = (await self._session.execute(_REFUNDS.where(
            _R.telegram_charge_id == telegram_charge_id))).mappings().first()
        return _refund(row) if row is not None else None

    async def of_order(self, order_id: OrderId) -> tuple[Payment | None, Refund | None]:
        row = (await self._session.execute(
            select(PAYMENTS).where(_P.order_id == order_id))).mappings().first()
        if row is None:
            return None, None
        payment = _payment(row)
        return payment, await self.refund_of(payment.telegram_charge_id)

    async def refunds_due(self, limit: int) -> Sequence[Refund]:
        stmt = _REFUNDS.where(_R.refunded_at.is_(None)).order_by(_R.id).limit(limit)
        return [_refund(row) for row in (await self._session.execute(stmt)).mappings()]

    async def mark_refunded(self, refund_id: int, note: str, at: datetime) -> Refund | None:
        done = update(REFUNDS).where(_R.id == refund_id, _R.refunded_at.is_(None)).values(
            refunded_at=at, note=note)
        if await execute_count(self._session, done) != 1:
            return None
        row = (await self._session.execute(_REFUNDS.where(_R.id == refund_id))).mappings().one()
        return _refund(row)


_REFUNDS = select(REFUNDS, _P.provider_charge_id).join(
    PAYMENTS, _P.telegram_charge_id == _R.telegram_charge_id)


def _payment(row: RowMapping) -> Payment:
    return Payment(UserId(row["customer_id"]), row["payload"], row["currency"], row["total"],
                   row["telegram_charge_id"], row["provider_charge_id"])


def _refund(row: RowMapping) -> Refund:
    order_id = row["order_id"]
    return Refund(
        row["id"], UserId(row["customer_id"]), OrderId(order_id) if order_id is not None else None,
        row["amount"], row["currency"], row["reason"], row["telegram_charge_id"],
        row["provider_charge_id"], row["created_at"], row["refunded_at"], row["note"],
    )
