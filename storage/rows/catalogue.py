"""The catalogue: restaurants and their dishes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base, utcnow


class RestaurantRow(Base):
    __tablename__ = "restaurants"
    __table_args__ = (
        CheckConstraint(
            "delivery_fee >= 0 AND min_order >= 0"
            " AND (free_delivery_from IS NULL OR free_delivery_from > 0)",
            name="terms_in_range",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(200))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    prep_minutes: Mapped[int] = mapped_column(Integer, default=20)
    manager_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # terms, minor units: see domain.restaurants.Restaurant
    delivery_fee: Mapped[int] = mapped_column(Integer, default=0)
    free_delivery_from: Mapped[int | None] = mapped_column(Integer)
    min_order: Mapped[int] = mapped_column(Integer, default=0)
    # a linked kitchen's time to answer a ticket, and what then (domain.restaurants)
    answer_within_s: Mapped[int] = mapped_column(Integer, default=300)
    unanswered: Mapped[str] = mapped_column(String(8), default="cancel")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")  # IANA name
    travel_minutes: Mapped[int] = mapped_column(Integer, default=20)
    # opening hours: [[weekday, start minute, end minute], ...] in local time; None: always
    hours: Mapped[list[Any] | None] = mapped_column(JSON)
    closed_on: Mapped[list[Any]] = mapped_column(JSON, default=list)  # ["2026-12-25", ...]
    latitude: Mapped[float | None] = mapped_column(Float)  # where riders pick up
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MenuItemRow(Base):
    __tablename__ = "menu_items"
    __table_args__ = (
        UniqueConstraint("restaurant_id", "name"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(ForeignKey("restaurants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    price: Mapped[int] = mapped_column(Integer)  # minor units
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(64), default="Menu")
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    stock: Mapped[int | None] = mapped_column(Integer)  # portions left; None: not counted
    back_at: Mapped[datetime | None] = mapped_column(index=True)  # sold out until then
    # option groups (domain.options): {"last": the highest option id it has had, "groups":
    # [{"name", "least", "most", "options": [[id, name, price, available], ...]}, ...]};
    # None: it never had options
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
