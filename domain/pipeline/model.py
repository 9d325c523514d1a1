"""The order pipeline's vocabulary: what a step sees and what it decides (DESIGN.md §2, §4, §5).

A step is a pure function. It reads a `Snapshot` of the orders its tasks concern and returns a
`Step`: the `Effects` to write (moves with their events, outbox messages, offers, bookkeeping)
and when its task runs next. Storage writes the effects in the transaction that settles the
task, guarded by the status the step saw, so a replayed task or a racing press never moves an
order twice or sends a message twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import astuple, dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain.dispatch import PartnerPool
from domain.errors import IllegalTransition
from domain.ids import OrderId, RestaurantId, TaskId, UserId
from domain.messages import Message, Milestone, Notification, OrderStatusChanged
from domain.orders import SYSTEM, Actor, OrderEvent, OrderStatus, allowed_moves
from domain.restaurants import Restaurant
from domain.retry import RetryPolicy
from domain.tasks import NewTask


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """How the pipeline behaves; built from the settings at the composition root."""

    offer_timeout_s: float = 60.0
    no_partner_alert_after_s: float = 300.0
    dispatch_max_wait_s: float = 30.0  # longest pause between looks for a free partner
    admin_ids: frozenset[int] = frozenset()
    batch_size: int = 200
    lease_s: float = 30.0
    max_batches_per_tick: int = 10


class OfferState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the order ended while the offer was open


@dataclass(frozen=True, slots=True)
class OfferView:
    order_id: OrderId
    partner_id: UserId
    state: OfferState
    offered_at: datetime
    expires_at: datetime

    def is_live(self, now: datetime) -> bool:
        return self.state == OfferState.OPEN and self.expires_at > now


@dataclass(frozen=True, slots=True)
class OrderView:
    """What the pipeline reads of an order and of its progress through the pipeline."""

    id: OrderId
    status: OrderStatus
    customer_id: UserId
    restaurant_id: RestaurantId
    partner_id: UserId | None
    total: int
    currency: str
    address: str
    latitude: float | None = None
    longitude: float | None = None
    ready_at: datetime | None = None  # PREPARING ends then; None until known
    searching_since: datetime | None = None  # when dispatch began looking for a partner
    told_searching: bool = False  # the customer heard "finding a partner"
    admins_alerted: bool = False  # admins heard that no partner could be found
    delivery_fee: int = 0  # the parts of `total` besides the dishes (domain.bill)
    discount: int = 0
    tip: int = 0
    paid_online: bool = False  # else cash on delivery
    scheduled_for: datetime | None = None  # the delivery slot it was placed for; None: now

    def is_ready(self, now: datetime) -> bool:
        return self.ready_at is not None and self.ready_at <= now


@dataclass(frozen=True, slots=True)
class LineView:
    name: str
    quantity: int
    available: bool  # the dish is still on the menu and available
    item_id: int | None = None  # the dish on the menu; None: deleted since
    options: str = ""  # the options picked, as shown ("Large, Olives")


@dataclass(frozen=True, slots=True)
class Progress:
    """Changes to an order's pipeline bookkeeping; None leaves a field as it is."""

    ready_at: datetime | None = None
    searching_since: datetime | None = None
    told_searching: bool | None = None
    admins_alerted: bool | None = None


@dataclass(slots=True)
class Effects:
    """What one step does to one order, written atomically with the task's settlement.

    `expect` is the status the moves start from, and `expect_partner` the partner the order had
    then; storage applies them only if the order still has both, and otherwise drops all of
    these effects (the task runs again, a press is looked at afresh). So a cancel decided
    before a partner accepted never leaves that partner holding a cancelled order.
    """

    order_id: OrderId
    expect: OrderStatus | None = None
    expect_partner: UserId | None = None
    moves: list[OrderEvent] = field(default_factory=list)
    notes: list[Notification] = field(default_factory=list)
    progress: Progress | None = None
    expire_offer: UserId | None = None  # that partner's open offer ran out
    new_offer: OfferView | None = None
    end_offers: bool = False  # withdraw every open offer: the order has ended
    release_partner: UserId | None = None  # the partner's active order is over
    refund: str | None = None  # why the online payment for the order is to be given back
    tasks: list[NewTask] = field(default_factory=list)  # besides the settled task's own next run

    @property
    def status(self) -> OrderStatus | None:
        """The status the moves end in; None when nothing moves."""
        return self.moves[-1].to_status if self.moves else None

    def move(
        self, order: OrderView, to: OrderStatus, *, at: datetime, actor: Actor = SYSTEM,
        reason: str = "",
    ) -> OrderEvent | None:
        """Records one move by the transition table, and the customer's status message.

        Moving to the status the order is in already is a no-op (None).
        """
        current = self.status or order.status
        if to == current:
            return None
        if to not in allowed_moves(current):
            raise IllegalTransition(order.id, current, to)
        if to == OrderStatus.OUT_FOR_DELIVERY and order.partner_id is None:
            raise IllegalTransition(order.id, current, to)
        if self.expect is None:
            self.expect, self.expect_partner = order.status, order.partner_id
        event = OrderEvent(order.id, current, to, at, actor, reason)
        self.moves.append(event)
        self._edit(order.customer_id,
                   OrderStatusChanged(order.id, to.value, current.value, reason))
        return event

    def show(self, order: OrderView, *, reason: str) -> None:
        """The customer's tracking message is edited to show a change that is not a move."""
        status = (self.status or order.status).value
        self._edit(order.customer_id, OrderStatusChanged(order.id, status, status, reason))

    def _edit(self, chat_id: int, edit: OrderStatusChanged) -> None:
        """One edit of the tracking message a step: it is drawn from the order as it is when
        the edit goes out, so an earlier edit of the same step (CONFIRMED, then PREPARING)
        would show just what this one shows. It keeps the status the step started from.
        No edit when the step sends the tracking message anew (a milestone): that shows it."""
        for index, note in enumerate(self.notes):
            if note.chat_id != chat_id:
                continue
            if isinstance(note.message, Milestone):
                return
            if isinstance(note.message, OrderStatusChanged):
                del self.notes[index]
                edit = replace(edit, previous=note.message.previous)
                break
        self.notes.append(Notification(chat_id, edit))

    def tell(self, chat_id: int, message: Message) -> None:
        """A message to the chat; a milestone (`domain.messages.Milestone`) sends the
        customer's tracking message anew, in place of the step's edit of it."""
        if isinstance(message, Milestone):
            self.notes = [note for note in self.notes if note.chat_id != chat_id
                          or not isinstance(note.message, OrderStatusChanged)]
        self.notes.append(Notification(chat_id, message))

    def mark(
        self, *, ready_at: datetime | None = None, searching_since: datetime | None = None,
        told_searching: bool | None = None, admins_alerted: bool | None = None,
    ) -> None:
        """Adds bookkeeping changes to those already made; None leaves a field as it is."""
        now = self.progress or Progress()
        self.progress = Progress(
            ready_at if ready_at is not None else now.ready_at,
            searching_since if searching_since is not None else now.searching_since,
            told_searching if told_searching is not None else now.told_searching,
            admins_alerted if admins_alerted is not None else now.admins_alerted,
        )


@dataclass(frozen=True, slots=True)
class TaskRun:
    """One claimed run of a queued task."""

    id: TaskId
    kind: str
    order_id: OrderId | None
    payload: Mapping[str, object]
    attempts: int  # this run included
    sample: float  # a random draw in [0, 1) for jitter, passed in to keep steps pure


@dataclass(frozen=True, slots=True)
class Next:
    """Run the task again as `kind` at `run_at`, with a fresh attempt count."""

    kind: str
    run_at: datetime
    payload: Mapping[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class Step:
    effects: Effects | None = None
    next: Next | None = None  # None: the task is done


@dataclass
class Snapshot:
    """Everything the steps of one batch may read, loaded in a few queries."""

    now: datetime
    config: PipelineConfig
    retry: RetryPolicy
    orders: Mapping[OrderId, OrderView]
    restaurants: Mapping[RestaurantId, Restaurant]
    lines: Mapping[OrderId, tuple[LineView, ...]] = field(default_factory=dict)
    offers: Mapping[OrderId, tuple[OfferView, ...]] = field(default_factory=dict)
    pool: PartnerPool = field(default_factory=PartnerPool)


Handler = Callable[[TaskRun, Snapshot], Step]


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick (or batch) did, for logs and tests."""

    batches: int = 0
    claimed: int = 0
    done: int = 0
    rescheduled: int = 0  # went on to their next step, or will look again later
    retried: int = 0
    dead: int = 0
    conflicts: int = 0  # their order changed meanwhile: run again on fresh data
    moves: int = 0
    notes: int = 0

    def __add__(self, other: TickReport) -> TickReport:
        return TickReport(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

