"""estimates from distance: where each restaurant is (none so far: the usual ride is used),
and the ride each order was estimated with

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("restaurants", sa.Column("latitude", sa.Float(), nullable=True))
    op.add_column("restaurants", sa.Column("longitude", sa.Float(), nullable=True))
    op.add_column("orders", sa.Column("ride_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("ride_minutes")
    with op.batch_alter_table("restaurants") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
