"""fewer index writes on the hot path: no second index on orders' status, and the retention
sweep's indexes only of rows that have ended

Every move of an order rewrote its entry in two indexes on its status: `ix_orders_status`
and `ix_orders_status_id` (added for /allorders' pages), which serves every look-up by status
the first did. Every new outbox message, task and offer went into the retention sweep's index
with a NULL end (`given_up_at`, `finished_at`, `closed_at`) and moved there again when it
ended; the sweep asks only for ends before a time, which no NULL meets, so those indexes now
hold only the rows that have one.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENDS = (("outbox", "given_up_at"), ("tasks", "finished_at"), ("offers", "closed_at"))


def upgrade() -> None:
    op.drop_index("ix_orders_status", table_name="orders")
    for table, column in ENDS:
        ended = sa.text(f"{column} IS NOT NULL")
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.create_index(f"ix_{table}_{column}", table, [column],
                        sqlite_where=ended, postgresql_where=ended)


def downgrade() -> None:
    for table, column in ENDS:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.create_index(f"ix_{table}_{column}", table, [column])
    op.create_index("ix_orders_status", "orders", ["status"])
