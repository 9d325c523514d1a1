"""retention: an index for each pick of the retention sweep (domain/retention.py)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_CONTACTS = sa.text("(phone IS NOT NULL OR latitude IS NOT NULL OR longitude IS NOT NULL)")


def upgrade() -> None:
    op.create_index("ix_outbox_given_up_at", "outbox", ["given_up_at"])
    op.create_index("ix_tasks_finished_at", "tasks", ["finished_at"])
    op.create_index("ix_offers_closed_at", "offers", ["closed_at"])
    op.create_index("ix_checkouts_updated_at", "checkouts", ["updated_at"])
    op.create_index("ix_orders_contacts_updated_at", "orders", ["updated_at"],
                    sqlite_where=HAS_CONTACTS, postgresql_where=HAS_CONTACTS)


def downgrade() -> None:
    op.drop_index("ix_orders_contacts_updated_at", table_name="orders")
    op.drop_index("ix_checkouts_updated_at", table_name="checkouts")
    op.drop_index("ix_offers_closed_at", table_name="offers")
    op.drop_index("ix_tasks_finished_at", table_name="tasks")
    op.drop_index("ix_outbox_given_up_at", table_name="outbox")
