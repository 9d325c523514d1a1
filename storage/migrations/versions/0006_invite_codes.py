"""partner invite codes: single use, valid for 7 days

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)  # storage.types.UTCDateTime stores through this


def upgrade() -> None:
    op.create_table(
        "invite_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_invite_codes")),
    )


def downgrade() -> None:
    op.drop_table("invite_codes")
