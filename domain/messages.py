"""Every message the outbox carries, in one place: one frozen dataclass per kind (DESIGN.md §4).

The domain decides *that* someone is told something by writing a `Notification` (a chat and
one of the messages below) in the transaction that made it true; the bot decides the words
(bot/notices.py renders each type, checked by mypy). In the database a message is its `Kind`
and its fields as JSON; `decode` reads it back and refuses a row this version cannot read
(`MalformedMessage`) instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeAlias, get_args

from domain.plain import plain
from domain.reading import Unreadable, read


class Kind(StrEnum):
    """What the outbox row says; the names are stored, so they never change."""

    ORDER_STATUS = "order_status"  # customer: the live tracking message, on every move
    ORDER_CANCELLED = "order_cancelled"  # customer, the partner if one was assigned, the kitchen
    RESTAURANT_TICKET = "restaurant_ticket"  # manager: the order, with Accept / Reject / Ready
    OFFER = "offer"  # partner: a delivery offer, with Accept / Decline
    DROP_OFF_PIN = "drop_off_pin"  # partner: the drop-off on the map (older rows: the offer has it)
    OFFER_EXPIRED = "offer_expired"  # partner: the offer ran out and went to someone else
    FINDING_PARTNER = "finding_partner"  # customer, once: nobody is free yet
    PARTNER_ASSIGNED = "partner_assigned"  # customer (older rows: now a tracking edit)
    ORDER_READY = "order_ready"  # partner: the restaurant marked the order ready
    OUT_FOR_DELIVERY = "out_for_delivery"  # customer: the tracking message sent anew
    DELIVERED = "delivered"  # customer: the tracking message sent anew
    ORDER_FAILED = "order_failed"  # customer, and the partner if one was assigned
    ADMIN_ALERT = "admin_alert"  # every admin: an order needs a person
    PARTNER_REQUEST = "partner_request"  # every admin: someone asks to deliver
    PARTNER_APPROVED = "partner_approved"  # the partner: they may deliver
    PARTNER_REVOKED = "partner_revoked"  # the partner: they may no longer deliver
    ERROR_ALERT = "error_alert"  # every admin: handling something failed unexpectedly
    REFUND_DUE = "refund_due"  # every admin: money paid online is to be given back
    REFUND_PROMISED = "refund_promised"  # customer: a paid order ended; the money comes back
    REFUND_DONE = "refund_done"  # customer: an admin recorded the refund made


@dataclass(frozen=True, slots=True)
class OrderStatusChanged:
    """Not a new message: the customer's tracking message is edited to show the order now
    (also with no move, `status` == `previous`, when a partner took the order)."""

    KIND: ClassVar[Kind] = Kind.ORDER_STATUS
    order_id: int
    status: str
    previous: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class OrderCancelled:
    KIND: ClassVar[Kind] = Kind.ORDER_CANCELLED
    order_id: int
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TicketLine:
    name: str
    quantity: int
    item_id: int = 0  # the dish, for the kitchen's sold-out button; 0: none (older rows)
    options: str = ""  # the options picked ("Large, Olives"): the kitchen makes it so


@dataclass(frozen=True, slots=True)
class RestaurantTicket:
    KIND: ClassVar[Kind] = Kind.RESTAURANT_TICKET
    order_id: int
    restaurant_id: int
    items: tuple[TicketLine, ...]
    total: int  # minor units of `currency`
    currency: str
    delivery_fee: int = 0  # the parts of `total` besides the dishes (domain.bill.Bill)
    discount: int = 0
    tip: int = 0
    paid_online: bool = False  # else cash on delivery


@dataclass(frozen=True, slots=True)
class Offer:
    KIND: ClassVar[Kind] = Kind.OFFER
    order_id: int
    restaurant: str
    pickup: str  # the restaurant's address
    address: str  # where the food goes
    total: int  # minor units of `currency`, collected on delivery
    currency: str
    expires_at: datetime
    latitude: float | None = None  # where the customer shared, shown as a map link
    longitude: float | None = None
    delivery_fee: int = 0  # the parts of `total` besides the dishes (domain.bill.Bill)
    discount: int = 0
    tip: int = 0
    paid_online: bool = False  # the partner collects nothing


@dataclass(frozen=True, slots=True)
class DropOffPin:
    """A map pin after the offer: rows of older versions only; the offer now carries the spot
    as a map link, one call instead of two (issue 12)."""

    KIND: ClassVar[Kind] = Kind.DROP_OFF_PIN
    order_id: int
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class OfferExpired:
    KIND: ClassVar[Kind] = Kind.OFFER_EXPIRED
    order_id: int


@dataclass(frozen=True, slots=True)
class FindingPartner:
    KIND: ClassVar[Kind] = Kind.FINDING_PARTNER
    order_id: int
    taking_long: bool = False  # the second and last time: past the admins' threshold


@dataclass(frozen=True, slots=True)
class PartnerAssigned:
    """Rows of older versions only: the tracking message now shows the partner (issue 12)."""

    KIND: ClassVar[Kind] = Kind.PARTNER_ASSIGNED
    order_id: int
    partner_id: int
    partner_name: str


@dataclass(frozen=True, slots=True)
class OrderReady:
    KIND: ClassVar[Kind] = Kind.ORDER_READY
    order_id: int


@dataclass(frozen=True, slots=True)
class OutForDelivery:
    """A milestone: the customer's tracking message arrives anew (see `Milestone`)."""

    KIND: ClassVar[Kind] = Kind.OUT_FOR_DELIVERY
    order_id: int


@dataclass(frozen=True, slots=True)
class Delivered:
    """A milestone: the customer's tracking message arrives anew (see `Milestone`)."""

    KIND: ClassVar[Kind] = Kind.DELIVERED
    order_id: int


@dataclass(frozen=True, slots=True)
class OrderFailed:
    KIND: ClassVar[Kind] = Kind.ORDER_FAILED
    order_id: int
    reason: str | None = None  # told to the partner; the customer hears only that it failed


class AlertReason(StrEnum):
    NO_PARTNER = "no_partner"  # nobody has taken the order for `waited_s`
    ORDER_FAILED = "order_failed"  # the pipeline gave up on the order with `error`
    KITCHEN_SILENT = "kitchen_silent"  # the kitchen did not answer for `waited_s`; `error`:
    # what became of the order


@dataclass(frozen=True, slots=True)
class AdminAlert:
    KIND: ClassVar[Kind] = Kind.ADMIN_ALERT
    reason: AlertReason
    order_id: int
    waited_s: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PartnerRequest:
    KIND: ClassVar[Kind] = Kind.PARTNER_REQUEST
    partner_id: int
    name: str


@dataclass(frozen=True, slots=True)
class ErrorAlert:
    """What failed and where, in words that carry nothing a user typed and no secret."""

    KIND: ClassVar[Kind] = Kind.ERROR_ALERT
    error_type: str  # the exception's class, e.g. "sqlalchemy.exc.OperationalError"
    where: str  # module and function of the innermost frame in our code
    update_kind: str  # what was being handled: "message", "callback_query", "job", ...


@dataclass(frozen=True, slots=True)
class PartnerApproved:
    KIND: ClassVar[Kind] = Kind.PARTNER_APPROVED
    name: str


@dataclass(frozen=True, slots=True)
class PartnerRevoked:
    KIND: ClassVar[Kind] = Kind.PARTNER_REVOKED
    name: str


@dataclass(frozen=True, slots=True)
class RefundDue:
    """To the admins: a refund to make at the payment provider (/refunds lists it)."""

    KIND: ClassVar[Kind] = Kind.REFUND_DUE
    amount: int  # minor units of `currency`
    currency: str
    reason: str
    order_id: int | None = None  # None: the payment could not become an order


@dataclass(frozen=True, slots=True)
class RefundPromised:
    KIND: ClassVar[Kind] = Kind.REFUND_PROMISED
    order_id: int
    amount: int
    currency: str


@dataclass(frozen=True, slots=True)
class RefundDone:
    KIND: ClassVar[Kind] = Kind.REFUND_DONE
    amount: int
    currency: str
    order_id: int | None = None


NewMessage: TypeAlias = (  # each becomes a new message in its chat
    OrderCancelled | RestaurantTicket | Offer | DropOffPin | OfferExpired | FindingPartner
    | PartnerAssigned | OrderReady | OrderFailed | AdminAlert | PartnerRequest | ErrorAlert
    | PartnerApproved | PartnerRevoked | RefundDue | RefundPromised | RefundDone
)
# A milestone that needs the customer's attention (DESIGN.md §4): their tracking message is
# sent anew, a new message (which pings, where an edit does not) showing the whole order, and
# it becomes the order's live tracking message. One Telegram call instead of an edit and a
# ping beside it (issue 12); the step that writes one writes no edit (`Effects.tell`).
Milestone: TypeAlias = OutForDelivery | Delivered
Message: TypeAlias = OrderStatusChanged | Milestone | NewMessage
TYPES: Mapping[Kind, type[Message]] = {cls.KIND: cls for cls in get_args(Message)}


@dataclass(frozen=True, slots=True)
class Notification:
    """A chat message to send after commit: who is told, and what."""

    chat_id: int
    message: Message

    @property
    def kind(self) -> Kind:
        return self.message.KIND

    @property
    def data(self) -> dict[str, Any]:
        return encode(self.message)


class MalformedMessage(ValueError):
    """An outbox row this version cannot read: an unknown kind, or fields that do not fit."""


def encode(message: Message) -> dict[str, Any]:
    """The message's fields as JSON values (datetimes as ISO 8601, tuples as lists)."""
    fields = plain(message)
    assert isinstance(fields, dict)
    return fields


def decode(kind: str, data: Mapping[str, Any]) -> Message:
    """The message an outbox row holds; MalformedMessage when it does not fit its type.
    Keys the type does not have are ignored (written by a newer or older version)."""
    try:
        cls = TYPES[Kind(kind)]
    except ValueError:
        raise MalformedMessage(f"unknown message kind {kind!r}") from None
    try:
        message = read(cls, data, kind)
    except Unreadable as problem:
        raise MalformedMessage(str(problem)) from None
    assert isinstance(message, cls)
    return message
