"""Work for the durable queue and messages for the outbox (DESIGN.md §4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.ids import OrderId


class TaskKind(StrEnum):
    CONFIRM_ORDER = "confirm_order"
    DISPATCH = "dispatch"
    MARK_READY = "mark_ready"


@dataclass(frozen=True, slots=True)
class NewTask:
    kind: TaskKind
    order_id: OrderId | None
    run_at: datetime
    payload: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Notification:
    """A chat message to send after commit; the bot renders `kind` with `data`."""

    chat_id: int
    kind: str
    data: dict[str, object] = field(default_factory=dict)
