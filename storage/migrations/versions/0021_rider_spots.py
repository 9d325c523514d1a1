"""the rider on the map: the newest spot each order's partner shared while it is on its way,
and the live location that shows it in the customer's chat

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rider_spots",
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("shown_latitude", sa.Float(), nullable=True),
        sa.Column("shown_longitude", sa.Float(), nullable=True),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tracked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE",
                                name=op.f("fk_rider_spots_order_id_orders")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_rider_spots")),
    )
    op.create_index(op.f("ix_rider_spots_stopped"), "rider_spots", ["stopped"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rider_spots_stopped"), table_name="rider_spots")
    op.drop_table("rider_spots")
