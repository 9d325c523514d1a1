"""Presses waiting in line, answered in batches (domain.group_commit): the presses that arrive
while a batch is being written go together in the next, which reads their orders together,
asks the rules about each, writes every change set-based and commits once
(domain.pipeline.actions).

A batch holds at most one press per order and one accept or decline per partner, so the
rules see each order once per transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from domain.audit import AuditEntry
from domain.errors import StaleOrder
from domain.group_commit import Waiting
from domain.ids import OrderId, UserId


class Kind(enum.Enum):
    PRESS = "press"  # moves an order (picked up, delivered, the kitchen's, cancel)
    ACCEPT = "accept"
    DECLINE = "decline"


@dataclass(eq=False)
class Request(Waiting):
    """A press."""

    kind: Kind
    order_id: OrderId
    partner_id: UserId | None = None
    decide: Any = None  # actions.Decide for PRESS
    audit: AuditEntry | None = None
    kitchen: bool = True  # its rules read the order's restaurant (a partner's move does not)

    def keys(self) -> Iterable[Hashable]:
        yield ("order", self.order_id)
        if self.kind is not Kind.PRESS and self.partner_id is not None:
            yield ("partner", self.partner_id)

    def gave_up(self) -> Exception:
        return StaleOrder(self.order_id)
