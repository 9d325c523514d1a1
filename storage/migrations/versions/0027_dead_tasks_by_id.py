"""tasks by state and id: /deadletters pages through the dead ones from an index

Before it a page of dead tasks walked the queue's done tasks backwards by id until it had
twenty dead ones (10.9 ms against 0.35 with a month of tasks behind it: bench/data.py).

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tasks_state_id", "tasks", ["state", "id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_state_id", table_name="tasks")
