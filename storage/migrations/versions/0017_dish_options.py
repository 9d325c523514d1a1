"""dish options: each dish's option groups, the options a cart line and an order line were
picked with (a cart may hold one dish twice, with other options)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("menu_items", sa.Column("options", sa.JSON(), nullable=True))
    op.add_column("order_items", sa.Column("options", sa.JSON(), nullable=True))
    with op.batch_alter_table("cart_lines") as batch:
        batch.add_column(sa.Column("options", sa.String(200), nullable=False,
                                   server_default=""))
        batch.drop_constraint("pk_cart_lines", type_="primary")
        batch.create_primary_key("pk_cart_lines", ["customer_id", "menu_item_id", "options"])


def downgrade() -> None:
    op.execute("DELETE FROM cart_lines WHERE options <> ''")
    with op.batch_alter_table("cart_lines") as batch:
        batch.drop_constraint("pk_cart_lines", type_="primary")
        batch.create_primary_key("pk_cart_lines", ["customer_id", "menu_item_id"])
        batch.drop_column("options")
    with op.batch_alter_table("order_items") as batch:
        batch.drop_column("options")
    with op.batch_alter_table("menu_items") as batch:
        batch.drop_column("options")
