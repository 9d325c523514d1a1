"""sold out for the day: when a dish marked sold out comes back (the restaurant's next
opening), after which its portions are no longer counted

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("menu_items", sa.Column("back_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_menu_items_back_at"), "menu_items", ["back_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_menu_items_back_at"), table_name="menu_items")
    with op.batch_alter_table("menu_items") as batch:
        batch.drop_column("back_at")
