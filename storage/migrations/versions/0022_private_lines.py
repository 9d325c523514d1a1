"""private lines: every message between an order's customer and its rider, kept with the
order, and the bot's message carrying it (replies to it are routed by it)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "line_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("said", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_id", sa.String(255), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE",
                                name=op.f("fk_line_messages_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_messages")),
    )
    op.create_index("ix_line_messages_order_id_id", "line_messages", ["order_id", "id"])
    op.create_index("ix_line_messages_chat_id_message_id", "line_messages",
                    ["chat_id", "message_id"])


def downgrade() -> None:
    op.drop_index("ix_line_messages_chat_id_message_id", table_name="line_messages")
    op.drop_index("ix_line_messages_order_id_id", table_name="line_messages")
    op.drop_table("line_messages")
