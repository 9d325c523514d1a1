"""What the chat layer calls to drive the order pipeline (DESIGN.md §4, §5).

`storage.pipeline_actions.SqlPipelineActions` and `storage.pipeline_worker.PipelineWorker`
implement these; the composition root wires them in. Every press raises a DomainError with a
stable `code` when it may not go ahead, and is a no-op when it repeats one that took effect.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.ids import OrderId, UserId
from domain.orders import Actor
from domain.pipeline import TickReport
from domain.pipeline_partner import Assignment


class PipelineActions(Protocol):
    async def accept_offer(self, order_id: OrderId, partner_id: UserId) -> Assignment:
        """Raises NotOffered, OfferExpired, AlreadyAssigned, PartnerBusy or NotAllowed."""
        ...

    async def decline_offer(self, order_id: OrderId, partner_id: UserId) -> None: ...

    async def picked_up(self, order_id: OrderId, partner_id: UserId) -> None:
        """Raises NotAllowed (not theirs), NotReady, or IllegalTransition."""
        ...

    async def delivered(self, order_id: OrderId, partner_id: UserId) -> None: ...
    async def restaurant_accept(self, order_id: OrderId, manager_chat_id: int) -> None: ...

    async def restaurant_reject(
        self, order_id: OrderId, manager_chat_id: int, reason: str = ""
    ) -> None: ...

    async def restaurant_ready(self, order_id: OrderId, manager_chat_id: int) -> None: ...
    async def cancel_order(self, order_id: OrderId, actor: Actor, reason: str = "") -> None: ...

    async def wake_dispatch(self, limit: int = 100) -> int:
        """Call when a partner comes online: orders waiting for one look again now."""
        ...


class QueueWorker(Protocol):
    async def run_once(self, now: datetime | None = None) -> TickReport:
        """One JobQueue tick: works the due tasks, batch after batch."""
        ...
