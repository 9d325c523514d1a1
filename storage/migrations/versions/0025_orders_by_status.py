"""orders by status and id: /allorders STATUS pages through them from an index

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_orders_status_id", "orders", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_orders_status_id", table_name="orders")
