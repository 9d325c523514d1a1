"""promo codes: the codes, each use of one, the code behind an order's discount and a
checkout's

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)  # storage.types.UTCDateTime stores through this


def upgrade() -> None:
    op.create_table(
        "promos",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("min_order", sa.Integer(), nullable=False),
        sa.Column("valid_until", TIMESTAMP, nullable=True),
        sa.Column("total_uses", sa.Integer(), nullable=True),
        sa.Column("uses_per_customer", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("(percent IS NULL) <> (amount IS NULL)",
                           name=op.f("ck_promos_one_kind_of_discount")),
        sa.CheckConstraint("total_uses IS NULL OR used <= total_uses",
                           name=op.f("ck_promos_uses_within_total")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_promos")),
    )
    op.create_table(
        "promo_uses",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["code"], ["promos.code"],
                                name=op.f("fk_promo_uses_code_promos"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_promo_uses_order_id_orders"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code", "customer_id", "number", name=op.f("pk_promo_uses")),
        sa.UniqueConstraint("order_id", name=op.f("uq_promo_uses_order_id")),
    )
    op.add_column("orders", sa.Column("promo_code", sa.String(length=20), nullable=True))
    op.add_column("checkouts", sa.Column("promo_code", sa.String(length=20), nullable=True))
    op.add_column("checkouts", sa.Column("discount", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkouts") as batch:
        batch.drop_column("discount")
        batch.drop_column("promo_code")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("promo_code")
    op.drop_table("promo_uses")
    op.drop_table("promos")
