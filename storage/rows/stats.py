"""What /stats keeps of finished orders (domain/stats.py): totals by the hour they were placed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base


class StatsHourRow(Base):
    """`domain.stats.HourTotals` without its minutes: the orders placed in `hour` (UTC) that
    ended in `status`, added to in the transaction that finishes each."""

    __tablename__ = "stats_hours"

    hour: Mapped[datetime] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    orders: Mapped[int] = mapped_column(BigInteger)
    revenue: Mapped[int] = mapped_column(BigInteger)
    online: Mapped[int] = mapped_column(BigInteger)
    fees: Mapped[int] = mapped_column(BigInteger)
    discounts: Mapped[int] = mapped_column(BigInteger)
    tips: Mapped[int] = mapped_column(BigInteger)
    deliveries: Mapped[int] = mapped_column(BigInteger)
    delivery_seconds: Mapped[int] = mapped_column(BigInteger)
    late: Mapped[int] = mapped_column(BigInteger)


class StatsMinuteRow(Base):
    """How many orders placed in `hour` were delivered `minutes` (whole, rounded) after being
    placed (`measure` "took") or past their estimate ("past"; negative: early)."""

    __tablename__ = "stats_minutes"

    hour: Mapped[datetime] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(8), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    orders: Mapped[int] = mapped_column(BigInteger)
