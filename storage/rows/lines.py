"""The private line between an order's customer and rider: every message, kept with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base
from storage.types import BigIntPK


class LineMessageRow(Base):
    """One entry of an order's line (domain.lines), and the bot's message that carries it."""

    __tablename__ = "line_messages"
    __table_args__ = (
        Index("ix_line_messages_order_id_id", "order_id", "id"),
        Index("ix_line_messages_chat_id_message_id", "chat_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(8))  # the writer's: customer, rider
    said: Mapped[str] = mapped_column(String(8))  # prompt, text, photo, location, closed
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(String(255))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
