"""What the chat layer calls to drive the order pipeline (DESIGN.md §4, §5).

`storage.pipeline_actions.SqlPipelineActions` and `storage.pipeline_worker.PipelineWorker`
implement these; the composition root wires them in. Every press raises a DomainError with a
stable `code` when it may not go ahead, and is a no-op when it repeats one that took effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """An outbox row claimed for sending: the bot renders `kind` with `data`."""

    id: int
    chat_id: int
    kind: str
    data: Mapping[str, object]
    attempts: int  # this one included


class MessageOutbox(Protocol):
    """The sender's side of the outbox (DESIGN.md §4); pacing state lives in the database."""

    async def claim(self, now: datetime) -> list[OutgoingMessage]:
        """Leases due messages: per chat only the oldest unsent one, none for a chat that was
        sent to within its pacing gap, and no more than the global budget left this second."""
        ...

    async def sent(self, message_id: int, *, now: datetime, telegram_id: int | None) -> None: ...
    async def retry(self, message_id: int, *, error: str, at: datetime) -> None: ...

    async def give_up(self, message_id: int, *, error: str, now: datetime) -> None:
        """Records a message that can never be sent (bot blocked, no such chat)."""
        ...
