"""order pipeline: delivery offers and order progress

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)  # storage.types.UTCDateTime stores through this
OPEN = sa.text("state = 'open'")
ACCEPTED = sa.text("state = 'accepted'")


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("partner_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("offered_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')",
            name=op.f("ck_offers_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_offers_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_offers_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "partner_id", name=op.f("pk_offers")),
    )
    op.create_index(
        "uq_offers_open_order", "offers", ["order_id"], unique=True,
        sqlite_where=OPEN, postgresql_where=OPEN,
    )
    op.create_index(
        "uq_offers_open_partner", "offers", ["partner_id"], unique=True,
        sqlite_where=OPEN, postgresql_where=OPEN,
    )
    op.create_index(
        "uq_offers_accepted_order", "offers", ["order_id"], unique=True,
        sqlite_where=ACCEPTED, postgresql_where=ACCEPTED,
    )
    op.create_table(
        "order_progress",
        sa.Column("order_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ready_at", TIMESTAMP, nullable=True),
        sa.Column("searching_since", TIMESTAMP, nullable=True),
        sa.Column("told_searching", sa.Boolean(), nullable=False),
        sa.Column("admins_alerted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_progress_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_progress")),
    )


def downgrade() -> None:
    op.drop_table("order_progress")
    op.drop_table("offers")  # drops its indexes too
