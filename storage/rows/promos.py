"""Promo codes (an admin's /addpromo) and each use of one, counted when an order is placed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base


class PromoRow(Base):
    __tablename__ = "promos"
    __table_args__ = (
        CheckConstraint("(percent IS NULL) <> (amount IS NULL)", name="one_kind_of_discount"),
        CheckConstraint("total_uses IS NULL OR used <= total_uses", name="uses_within_total"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    percent: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[int | None] = mapped_column(Integer)  # minor units
    min_order: Mapped[int] = mapped_column(Integer, default=0)
    valid_until: Mapped[datetime | None]
    total_uses: Mapped[int | None] = mapped_column(Integer)
    uses_per_customer: Mapped[int] = mapped_column(Integer, default=1)
    used: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class PromoUseRow(Base):
    """One use: a customer's `number`th of the code (1, 2, ...), so two placings racing for
    the same customer's last use cannot both be stored."""

    __tablename__ = "promo_uses"

    code: Mapped[str] = mapped_column(
        String(20), ForeignKey("promos.code", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    used_at: Mapped[datetime]
