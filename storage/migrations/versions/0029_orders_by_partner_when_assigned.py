"""orders by partner, only those assigned: the orders nobody took no longer sit in the index

Orders cancelled before a rider took them keep no partner forever. With ten million orders
behind it, SQLite counted the orders waiting for a rider (every checkout summary's estimate)
through the partner index, reading a million of them: 1.2 s a summary (bench/data.py). Every
lookup by partner names one, so the index now holds only the orders that have one.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSIGNED = sa.text("partner_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_orders_partner_id", table_name="orders")
    op.create_index("ix_orders_partner_id", "orders", ["partner_id"],
                    sqlite_where=ASSIGNED, postgresql_where=ASSIGNED)


def downgrade() -> None:
    op.drop_index("ix_orders_partner_id", table_name="orders")
    op.create_index("ix_orders_partner_id", "orders", ["partner_id"])
