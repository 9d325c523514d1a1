"""What the pipeline's use cases need from storage, and what the chat layer calls (§3, §4, §5).

Storage implements `PipelineStore`: claiming due tasks under a lease, and transactions in
which a `PipelineTx` reads what the steps and presses decide on and writes their effects,
guarded, all or nothing. It only reads and writes: every decision (what a task does, retry or
dead-letter, whether a press may go ahead, what to do when a guard fails) is made in
`domain.pipeline.worker` and `domain.pipeline.actions`, which implement `QueueWorker` and
`PipelineActions` for the bot.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from domain.audit import AuditEntry
from domain.dispatch import PartnerPool
from domain.ids import OrderId, RestaurantId, TaskId, UserId
from domain.orders import Actor
from domain.partners import Partner
from domain.pipeline.model import Effects, LineView, OfferView, OrderView, TickReport
from domain.pipeline.presses import Assignment
from domain.pipeline.stale import OrderNow
from domain.restaurants import Restaurant

Pair = tuple[OrderId, UserId]  # an order and a partner


class StoreError(Exception):
    """Storage could not read or write; `transient` when trying again may well work
    (a deadlock, a serialization failure, a busy database)."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class Lease:
    """Who claims, when, for how long, and how many rows at most."""

    worker: str  # unique per claim: a fencing token
    now: datetime
    duration: timedelta
    limit: int

    @property
    def until(self) -> datetime:
        return self.now + self.duration


@dataclass(frozen=True, slots=True)
class ClaimedTask:
    id: TaskId
    kind: str  # a TaskKind value, unless an older or newer version wrote something else
    order_id: OrderId | None
    payload: dict[str, Any]
    attempts: int  # including this one
    max_attempts: int | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Reschedule:
    """Run the task again as `kind` at `run_at`, with a fresh attempt count (its next step)."""

    task_id: TaskId
    kind: str
    run_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed run: retried at `run_at`, or dead-lettered when that is None."""

    task_id: TaskId
    error: str
    run_at: datetime | None


class PipelineTx(Protocol):
    """One transaction of the pipeline's storage; nothing is visible to others before it ends."""

    # the queue ------------------------------------------------------------------------------
    async def hold(self, task_ids: Sequence[TaskId], lease: Lease) -> set[TaskId]:
        """Those of `task_ids` still claimed under `lease`, kept until this transaction ends."""
        ...

    async def settle(
        self, done: Sequence[TaskId], later: Sequence[Reschedule], failed: Sequence[Failure],
        now: datetime,
    ) -> None: ...

    async def release(self, task_ids: Sequence[TaskId]) -> None:
        """Gives claimed tasks back untouched, due as they were; the claim does not count."""
        ...

    async def wake_dispatch(self, now: datetime, limit: int) -> int:
        """Dispatch tasks waiting for a free partner (no open offer) become due now."""
        ...

    # reading --------------------------------------------------------------------------------
    async def orders(self, order_ids: Collection[OrderId]) -> dict[OrderId, OrderView]: ...
    async def restaurants(
        self, restaurant_ids: Collection[RestaurantId]
    ) -> dict[RestaurantId, Restaurant]: ...
    async def lines(self, order_ids: Collection[OrderId]) -> dict[OrderId, tuple[LineView, ...]]:
        ...
    async def offers(
        self, order_ids: Collection[OrderId]
    ) -> dict[OrderId, tuple[OfferView, ...]]: ...
    async def offer_pairs(self, pairs: Sequence[Pair]) -> dict[Pair, OfferView]: ...
    async def partners(self, partner_ids: Collection[UserId]) -> dict[UserId, Partner]: ...

    async def pool(self, size: int) -> PartnerPool:
        """Up to `size` free partners, longest idle first; no other worker offers them now."""
        ...

    async def assignments(self, pairs: Sequence[Pair]) -> dict[OrderId, Assignment]: ...

    # writing --------------------------------------------------------------------------------
    async def apply(self, effects: Sequence[Effects], now: datetime) -> set[OrderId]:
        """Writes each order's effects all or nothing, by their guards; returns the orders whose
        guards failed (they changed meanwhile), of which nothing was written."""
        ...

    async def take(self, pairs: Sequence[Pair], now: datetime) -> set[Pair]:
        """Accepts the open offers atomically: which of `pairs` won their order."""
        ...

    async def finish_dispatch(self, order_ids: Sequence[OrderId], now: datetime) -> None:
        """The taken orders' dispatch tasks are done."""
        ...

    async def decline(self, pair: Pair, now: datetime) -> bool:
        """Closes the open offer as declined and makes dispatch look again now; False when
        the offer was no longer open."""
        ...

    async def audit(self, entry: AuditEntry) -> None:
        """Adds an entry to the admins' audit log, committed with this transaction or not
        at all."""
        ...


class PipelineStore(Protocol):
    async def claim(self, lease: Lease) -> list[ClaimedTask]:
        """Claims due tasks under `lease` and commits the claim."""
        ...

    async def next_due(self) -> datetime | None:
        """See `QueueWorker.next_due`."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[PipelineTx]:
        """Commits when the block ends normally, rolls back when it raises. Raises StoreError
        for a failure of the database itself."""
        ...


class PipelineActions(Protocol):
    """The presses that move orders: the chat layer calls these. Each raises a DomainError
    with a stable `code` when it may not go ahead, and is a no-op when it repeats one that
    took effect."""

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

    async def cancel_order(
        self, order_id: OrderId, actor: Actor, reason: str = "", *,
        audit: AuditEntry | None = None,
    ) -> bool:
        """True when this call cancelled the order, False when it was cancelled already.
        `audit` is written in the cancel's own transaction, only when this call cancelled
        it. Raises NotAllowed, TooLateToCancel or IllegalTransition (a finished order)."""
        ...

    async def wake_dispatch(self, limit: int = 100) -> int:
        """Call when a partner comes online: orders waiting for one look again now."""
        ...


class QueueWorker(Protocol):
    async def run_once(self, now: datetime | None = None) -> TickReport:
        """One run of the job: works the due tasks, batch after batch."""
        ...

    async def next_due(self) -> datetime | None:
        """When the earliest pending task can be claimed (its time, or the end of the lease
        holding it); None when none is pending."""
        ...


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """An outbox row claimed for sending: the bot renders `kind` with `data`."""

    id: int
    chat_id: int
    kind: str
    data: Mapping[str, object]
    attempts: int  # this one included
    language: str | None = None  # the language stored for the chat, read with it


class MessageOutbox(Protocol):
    """The sender's side of the outbox (DESIGN.md §4); pacing state lives in the database."""

    async def claim(self, now: datetime, *, at_most: int | None = None,
                    paid_at_most: int | None = None) -> list[OutgoingMessage]:
        """Leases due messages: per chat only the oldest unsent one, none for a chat that was
        sent to within its pacing gap, no more than the global budget left this second, nor
        than `at_most` (what this instance's replies leave of it). With paid broadcasts, new
        messages count against the paid budget instead (no more than `paid_at_most`), edits
        against the free one as before."""
        ...

    @property
    def batch_size(self) -> int:
        """The most one claim takes from each budget."""
        ...

    async def next_due(self, now: datetime) -> datetime | None:
        """When the first chat's oldest unsent message is due by its own time (its next
        attempt, or the end of the lease holding it), and not before the overall budget has
        room again (the last second's sends leave it one by one); the per-chat pace not
        counted. None: nothing waits."""
        ...

    async def sent(self, message_id: int, *, now: datetime, telegram_id: int | None) -> None:
        """Records a message Telegram took; `now` is when it was asked to (the pacing counts
        a message from then, as Telegram does from its arrival)."""
        ...

    async def retry(self, message_id: int, *, error: str, at: datetime) -> None: ...

    async def give_up(self, message_id: int, *, error: str, now: datetime) -> None:
        """Records a message that can never be sent (bot blocked, no such chat), or that its
        order has overtaken (domain.pipeline.stale)."""
        ...

    async def later_edits(self, heads: Collection[OutgoingMessage]) -> list[OutgoingMessage]:
        """The unsent edits of a message already there (the tracking message) queued after
        `heads` in the heads' chats, oldest first: an edit that renders the order now shows
        what they would."""
        ...

    async def supersede(self, message_ids: Collection[int], *, by: int, now: datetime) -> None:
        """Records unsent edits as not needed: the edit `by` showed what they would."""
        ...

    async def orders_now(self, order_ids: Collection[int]) -> Mapping[int, OrderNow]:
        """The orders as they are now, for the stale check; a missing id has no order."""
        ...

    def close(self) -> None:
        """This process sends nothing more: what the outbox keeps open is released."""
        ...
