"""The rider on the map: each order's rider spot and the customer's live location of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base


class RiderSpotRow(Base):
    """The newest spot the partner of an order out for delivery shared, and where the live
    location in its customer's chat stands (domain.rider_map)."""

    __tablename__ = "rider_spots"
    __table_args__ = (Index("ix_rider_spots_stopped", "stopped"),)

    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)  # the customer's
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    moved_at: Mapped[datetime]
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # the customer's live location
    shown_latitude: Mapped[float | None] = mapped_column(Float)
    shown_longitude: Mapped[float | None] = mapped_column(Float)
    shown_at: Mapped[datetime | None]
    tracked_at: Mapped[datetime | None]  # the tracking message last showed the distance then
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_until: Mapped[datetime | None]  # an instance is working the map until then
