"""scheduled orders: the delivery slot a checkout chose, and the one an order was placed for
(orders so far: none, they were for now)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("checkouts", sa.Column("deliver_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("orders", sa.Column("scheduled_for", sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("scheduled_for")
    with op.batch_alter_table("checkouts") as batch:
        batch.drop_column("deliver_at")
