"""Queued work (DESIGN.md §4): one row per step, leased by a worker, retried, dead-lettered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base, utcnow
from storage.types import BigIntPK

FINISHED = text("finished_at IS NOT NULL")

TASK_STATES = ("pending", "done", "dead")


class TaskRow(Base):
    """The durable queue (DESIGN.md §4)."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_state_run_at", "state", "run_at"),
        # the retention sweep's: only finished tasks
        Index("ix_tasks_finished_at", "finished_at",
              sqlite_where=FINISHED, postgresql_where=FINISHED),
        Index("ix_tasks_state_id", "state", "id"),  # /deadletters, a page at a time
        CheckConstraint("state IN ('pending', 'done', 'dead')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    run_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]
