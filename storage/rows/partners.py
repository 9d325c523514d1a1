"""Delivery partners: approval, online status and the one order each may hold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base, utcnow


class PartnerRow(Base):
    __tablename__ = "partners"
    __table_args__ = (Index("ix_partners_available", "status", "online", "idle_since"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(256))  # Telegram full names: 64 + 1 + 64
    status: Mapped[str] = mapped_column(String(16))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    # unique: one partner per active order (NULLs do not collide on either backend)
    active_order_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    idle_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
