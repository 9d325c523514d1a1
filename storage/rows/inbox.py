"""The inbox (DESIGN.md §4): every update from Telegram, stored before it is acknowledged;
and the named leases that decide which instance polls Telegram."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base


class InboxRow(Base):
    """One update from Telegram; done rows are deleted after a while (storage.inbox.prune)."""

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_done_at_chat_id_update_id", "done_at", "chat_id", "update_id"),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # per-chat order: chat, else user, else 0
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    sent_at: Mapped[datetime | None]  # the update's own date, when it has one
    received_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None]


class LeaseRow(Base):
    """A named lease, e.g. `polling`: the one instance allowed to call getUpdates."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
