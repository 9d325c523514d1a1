"""customer journey: checkout drafts, tracking messages, ratings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
