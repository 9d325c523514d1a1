"""The admin console's table: the audit log of what admins changed (issue #6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base
from storage.types import BigIntPK


class AuditRow(Base):
    """One admin action: who, when, what, on which restaurant or dish."""

    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
