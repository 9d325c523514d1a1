"""The language each chat is spoken to in (bot/i18n.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base, utcnow


class ChatLanguageRow(Base):
    """A chat's language: taken from its user's Telegram app on first contact (a private chat),
    or chosen with /language; once here, the app's setting never overrides it."""

    __tablename__ = "chat_languages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
