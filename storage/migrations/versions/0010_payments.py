"""payments: each payment taken in chat (once, by Telegram's charge id), refunds due and
made, whether an order was paid online, the summary message 💳 Pay now was pressed on

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)  # storage.types.UTCDateTime stores through this
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # storage.types.BigIntPK


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("telegram_charge_id", sa.String(length=128), nullable=False),
        sa.Column("provider_charge_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("tip", sa.BigInteger(), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_payments_order_id_orders"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("telegram_charge_id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_order_id"), "payments", ["order_id"])
    op.create_index(op.f("ix_payments_payload"), "payments", ["payload"])
    op.create_table(
        "refunds",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("telegram_charge_id", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("refunded_at", TIMESTAMP, nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(["telegram_charge_id"], ["payments.telegram_charge_id"],
                                name=op.f("fk_refunds_telegram_charge_id_payments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("telegram_charge_id", name=op.f("uq_refunds_telegram_charge_id")),
    )
    op.create_index("ix_refunds_refunded_at_id", "refunds", ["refunded_at", "id"])
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("paid_online", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("paid_online", existing_type=sa.Boolean(), server_default=None)
    op.add_column("checkouts", sa.Column("paying_in", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkouts") as batch:
        batch.drop_column("paying_in")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("paid_online")
    op.drop_table("refunds")
    op.drop_table("payments")
