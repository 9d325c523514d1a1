"""The pipeline's tables: delivery offers and each order's progress through the pipeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.rows.base import Base

OFFER_STATES = ("open", "accepted", "declined", "expired", "withdrawn")
_OPEN = text("state = 'open'")
_ACCEPTED = text("state = 'accepted'")
_CLOSED = text("closed_at IS NOT NULL")


class OfferRow(Base):
    """One offer of one order to one partner (DESIGN.md §5); a partner is offered an order once.

    The partial unique indexes keep one open offer per order and per partner, and one
    accepted offer per order, whatever the interleaving of workers and presses.
    """

    __tablename__ = "offers"
    __table_args__ = (
        Index("uq_offers_open_order", "order_id", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("uq_offers_open_partner", "partner_id", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("uq_offers_accepted_order", "order_id", unique=True,
              sqlite_where=_ACCEPTED, postgresql_where=_ACCEPTED),
        # the retention sweep's: only closed offers
        Index("ix_offers_closed_at", "closed_at", sqlite_where=_CLOSED, postgresql_where=_CLOSED),
        CheckConstraint(
            "state IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')",
            name="state_known",
        ),
    )

    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16))
    offered_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class OrderProgressRow(Base):
    """Pipeline bookkeeping of one order: when it is ready, how the search for a partner goes."""

    __tablename__ = "order_progress"

    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False,
    )
    ready_at: Mapped[datetime | None]
    searching_since: Mapped[datetime | None]
    told_searching: Mapped[bool] = mapped_column(Boolean, default=False)
    admins_alerted: Mapped[bool] = mapped_column(Boolean, default=False)
