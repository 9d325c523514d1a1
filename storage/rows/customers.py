"""What a customer keeps between updates: who they are, their cart, their checkout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base, utcnow


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(256))  # Telegram full names: 64 + 1 + 64
    phone: Mapped[str | None] = mapped_column(String(20))
    time_zone: Mapped[str | None] = mapped_column(String(64))  # IANA name, their own
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CartRow(Base):
    __tablename__ = "carts"

    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    restaurant_id: Mapped[int | None] = mapped_column(
        ForeignKey("restaurants.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CartLineRow(Base):
    __tablename__ = "cart_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("carts.customer_id", ondelete="CASCADE"), primary_key=True
    )
    menu_item_id: Mapped[int] = mapped_column(
        ForeignKey("menu_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # the option ids picked, ascending, space-separated ("" for none): one dish, other options,
    # another line
    options: Mapped[str] = mapped_column(String(200), primary_key=True, server_default="")
    quantity: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)  # keeps the order dishes were added


class CheckoutRow(Base):
    """A customer's checkout in progress: its step, the draft and the summary shown last."""

    __tablename__ = "checkouts"
    __table_args__ = (Index("ix_checkouts_updated_at", "updated_at"),)  # the retention sweep's

    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    token: Mapped[int | None] = mapped_column(BigInteger)  # of the summary shown last
    # [[item, qty, price, [option ids]]]
    snapshot: Mapped[list[Any]] = mapped_column(JSON, default=list)
    delivery_fee: Mapped[int | None] = mapped_column(Integer)  # as that summary charged it
    promo_code: Mapped[str | None] = mapped_column(String(20))
    discount: Mapped[int | None] = mapped_column(Integer)  # as that summary took it off
    paying_in: Mapped[int | None] = mapped_column(BigInteger)  # the message 💳 Pay now was on
    deliver_at: Mapped[datetime | None]  # the delivery slot chosen; None: as soon as possible
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
