"""estimates: a restaurant's usual delivery ride, and each order's estimated delivery time
(orders so far: none)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("restaurants") as batch:
        batch.add_column(sa.Column("travel_minutes", sa.Integer(), nullable=False,
                                   server_default="20"))
    with op.batch_alter_table("restaurants") as batch:
        batch.alter_column("travel_minutes", existing_type=sa.Integer(), server_default=None)
    op.add_column("orders", sa.Column("expected_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("expected_at")
    with op.batch_alter_table("restaurants") as batch:
        batch.drop_column("travel_minutes")
