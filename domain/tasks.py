"""Work for the durable queue (DESIGN.md §4); the outbox's messages are in domain.messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.ids import OrderId


class TaskKind(StrEnum):
    CONFIRM_ORDER = "confirm_order"
    DISPATCH = "dispatch"
    MARK_READY = "mark_ready"
    KITCHEN_TIMEOUT = "kitchen_timeout"  # the kitchen has not answered its ticket in time


@dataclass(frozen=True, slots=True)
class NewTask:
    kind: TaskKind
    order_id: OrderId | None
    run_at: datetime
    payload: dict[str, object] = field(default_factory=dict)
