"""bills and terms: each order's subtotal, delivery fee, discount and tip beside its total;
each restaurant's delivery fee, free-delivery amount and minimum order; the fee a checkout's
summary showed

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BILL_PARTS = ("delivery_fee", "discount", "tip")


def upgrade() -> None:
    # SQLite adds a CHECK by copying the table (batch mode, foreign keys off: storage.migrate)
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("subtotal", sa.BigInteger(), nullable=True))
        for name in BILL_PARTS:
            batch.add_column(
                sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("UPDATE orders SET subtotal = total")  # orders so far: the dishes only
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("subtotal", existing_type=sa.BigInteger(), nullable=False)
        for name in BILL_PARTS:
            batch.alter_column(name, existing_type=sa.BigInteger(), server_default=None)
        batch.create_check_constraint(
            op.f("ck_orders_bill_adds_up"),
            "subtotal >= 0 AND delivery_fee >= 0 AND discount >= 0 AND tip >= 0"
            " AND total = subtotal + delivery_fee - discount + tip",
        )
    with op.batch_alter_table("restaurants") as batch:
        batch.add_column(
            sa.Column("delivery_fee", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("free_delivery_from", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("min_order", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("restaurants") as batch:
        batch.alter_column("delivery_fee", existing_type=sa.Integer(), server_default=None)
        batch.alter_column("min_order", existing_type=sa.Integer(), server_default=None)
        batch.create_check_constraint(
            op.f("ck_restaurants_terms_in_range"),
            "delivery_fee >= 0 AND min_order >= 0"
            " AND (free_delivery_from IS NULL OR free_delivery_from > 0)",
        )
    op.add_column("checkouts", sa.Column("delivery_fee", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkouts") as batch:
        batch.drop_column("delivery_fee")
    with op.batch_alter_table("restaurants") as batch:
        batch.drop_constraint(op.f("ck_restaurants_terms_in_range"), type_="check")
        for name in ("delivery_fee", "free_delivery_from", "min_order"):
            batch.drop_column(name)
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f("ck_orders_bill_adds_up"), type_="check")
        for name in ("subtotal", *BILL_PARTS):
            batch.drop_column(name)
