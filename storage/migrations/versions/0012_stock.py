"""stock: portions left of a dish (none: not counted), and which order lines were taken
from it, to give back if the order is cancelled

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("menu_items") as batch:
        batch.add_column(sa.Column("stock", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_menu_items_stock_not_negative"),
                                      "stock IS NULL OR stock >= 0")
    op.add_column("order_items", sa.Column("from_stock", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("order_items") as batch:
        batch.drop_column("from_stock")
    with op.batch_alter_table("menu_items") as batch:
        batch.drop_constraint(op.f("ck_menu_items_stock_not_negative"), type_="check")
        batch.drop_column("stock")
