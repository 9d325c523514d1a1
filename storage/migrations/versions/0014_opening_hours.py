"""opening hours: each restaurant's weekly hours in its local time (none: open whenever it is
switched on, as so far) and the days it is closed

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("restaurants", sa.Column("hours", sa.JSON(), nullable=True))
    with op.batch_alter_table("restaurants") as batch:
        batch.add_column(sa.Column("closed_on", sa.JSON(), nullable=False,
                                   server_default="[]"))
    with op.batch_alter_table("restaurants") as batch:
        batch.alter_column("closed_on", existing_type=sa.JSON(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("restaurants") as batch:
        batch.drop_column("closed_on")
        batch.drop_column("hours")
