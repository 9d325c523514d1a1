"""kitchen answers: how long a restaurant's kitchen has to answer a ticket, and whether an
unanswered order is then cancelled or accepted for it

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("restaurants") as batch:
        batch.add_column(sa.Column("answer_within_s", sa.Integer(), nullable=False,
                                   server_default="300"))
        batch.add_column(sa.Column("unanswered", sa.String(length=8), nullable=False,
                                   server_default="cancel"))
    with op.batch_alter_table("restaurants") as batch:
        batch.alter_column("answer_within_s", existing_type=sa.Integer(), server_default=None)
        batch.alter_column("unanswered", existing_type=sa.String(length=8),
                           server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("restaurants") as batch:
        batch.drop_column("unanswered")
        batch.drop_column("answer_within_s")
