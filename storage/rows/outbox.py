"""The outbox (DESIGN.md §4): every chat message, written with the change that causes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base
from storage.types import BigIntPK

GIVEN_UP = text("given_up_at IS NOT NULL")


class OutboxRow(Base):
    """Chat messages written with the change that causes them, sent after commit."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),
        Index("ix_outbox_chat_id_id", "chat_id", "id"),
        # the retention sweep's (with sent_at's): only messages given up on
        Index("ix_outbox_given_up_at", "given_up_at",
              sqlite_where=GIVEN_UP, postgresql_where=GIVEN_UP),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # Telegram's, once sent
    given_up_at: Mapped[datetime | None]  # never sendable (bot blocked, no such chat)
