"""Payments taken in chat and refunds due (issue 13)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base
from storage.types import BigIntPK


class PaymentRow(Base):
    """One successful payment, once: Telegram's charge id is the key, so the same payment
    reported twice is stored once."""

    __tablename__ = "payments"

    telegram_charge_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    provider_charge_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(String(128), index=True)
    order_id: Mapped[int | None] = mapped_column(  # None: no order; a refund is due
        BigInteger, ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(BigInteger)  # minor units, the tip included
    tip: Mapped[int] = mapped_column(BigInteger, default=0)
    received_at: Mapped[datetime]


class RefundRow(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_refunds_refunded_at_id", "refunded_at", "id"),
        Index("ix_refunds_created_at", "created_at"),  # /stats: the refunds of the week
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    telegram_charge_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("payments.telegram_charge_id"), unique=True)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    refunded_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(300), default="")
