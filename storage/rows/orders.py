"""Orders: what was ordered, every move it made, its live tracking message, its rating."""

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
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base
from storage.types import BigIntPK

# an order that still holds its customer's phone or shared spot (the retention sweep scrubs them)
HAS_CONTACTS = text("(phone IS NOT NULL OR latitude IS NOT NULL OR longitude IS NOT NULL)")
ASSIGNED = text("partner_id IS NOT NULL")
# an order still under way (domain.orders.OrderStatus, not terminal): /stats reads these as they
# are, and the finished ones from the totals kept as each finished (storage/rows/stats.py)
UNDER_WAY = text("status IN ('CREATED', 'CONFIRMED', 'PREPARING', 'OUT_FOR_DELIVERY')")


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_id_created_at", "customer_id", "created_at"),
        Index("ix_orders_status_id", "status", "id"),  # /allorders STATUS, a page at a time
        # a partner's orders; not the orders nobody took, which only grow (cancelled before a
        # rider came): with them, SQLite counted the orders waiting for a rider through here
        Index("ix_orders_partner_id", "partner_id",
              sqlite_where=ASSIGNED, postgresql_where=ASSIGNED),
        # /stats: the orders of the last 7 days still under way, as few as the live orders
        Index("ix_orders_under_way_created_at", "created_at",
              sqlite_where=UNDER_WAY, postgresql_where=UNDER_WAY),
        # the retention sweep's: only orders that still hold a phone or a spot, so it stays
        # as small as the orders of the last CONTACTS_KEEP_DAYS
        Index("ix_orders_contacts_updated_at", "updated_at",
              sqlite_where=HAS_CONTACTS, postgresql_where=HAS_CONTACTS),
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint(
            "subtotal >= 0 AND delivery_fee >= 0 AND discount >= 0 AND tip >= 0"
            " AND total = subtotal + delivery_fee - discount + tip",
            name="bill_adds_up",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("customers.id"))
    restaurant_id: Mapped[int] = mapped_column(ForeignKey("restaurants.id"))
    status: Mapped[str] = mapped_column(String(20))  # looked up through ix_orders_status_id
    currency: Mapped[str] = mapped_column(String(3))
    # the bill (domain.bill), minor units, fixed when placed: total = the sum of its parts
    subtotal: Mapped[int] = mapped_column(BigInteger)  # the dishes
    delivery_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    tip: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger)
    promo_code: Mapped[str | None] = mapped_column(String(20))  # the code behind `discount`
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False)  # else cash on delivery
    expected_at: Mapped[datetime | None]  # the delivery time estimated when placed
    scheduled_for: Mapped[datetime | None]  # the delivery slot it was placed for; None: now
    ride_minutes: Mapped[int | None] = mapped_column(Integer)  # the ride estimated at placing
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300), default="")
    partner_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("partners.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OrderItemRow(Base):
    __tablename__ = "order_items"

    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    menu_item_id: Mapped[int] = mapped_column(Integer)  # no FK: dishes may be deleted later
    name: Mapped[str] = mapped_column(String(64))
    unit_price: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    from_stock: Mapped[bool] = mapped_column(Boolean, default=False)  # given back if cancelled
    options: Mapped[list[Any] | None] = mapped_column(JSON)  # [[id, name, price], ...] as picked


class OrderEventRow(Base):
    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order_id_id", "order_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE")
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))  # "customer:1001", "system"
    reason: Mapped[str] = mapped_column(Text, default="")


class TrackingMessageRow(Base):
    """The one chat message that shows an order's live status to its customer."""

    __tablename__ = "tracking_messages"

    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)


class OrderRatingRow(Base):
    __tablename__ = "order_ratings"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_in_range"),)

    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    stars: Mapped[int] = mapped_column(Integer)
    rated_at: Mapped[datetime]
