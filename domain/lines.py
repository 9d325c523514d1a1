"""A private line between an order's customer and its rider (issue 15): while the order has a
partner and has not ended, either may write to the other through the bot — a text, a photo or
a location — and neither learns the other's username or phone (the rider has the phone only
if the customer gave it at checkout). Every message is kept with the order, for admins to
read (`/showorder`, audited) and to close (`/closeline`).

A line works by replies: 💬 on the tracking message or the job card sends a prompt to reply
to, and the copy the other side receives can be replied to in turn; the bot finds the order
from the message replied to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import DomainError
from domain.ids import OrderId, UserId
from domain.orders import Order, OrderStatus

MAX_TEXT = 1000  # a relayed text, at most
OPEN_WHILE = frozenset({OrderStatus.CONFIRMED, OrderStatus.PREPARING,
                        OrderStatus.OUT_FOR_DELIVERY})


class Side(StrEnum):
    CUSTOMER = "customer"
    RIDER = "rider"


class Said(StrEnum):
    PROMPT = "prompt"  # the bot's "reply to this" in the writer's own chat
    TEXT = "text"
    PHOTO = "photo"
    LOCATION = "location"
    CLOSED = "closed"  # an admin closed the line


class LineClosed(DomainError):
    """The order has ended, or an admin closed its line; `why` says which."""

    code = "line_closed"

    def __init__(self, order_id: int, why: str) -> None:
        super().__init__(f"the line of order {order_id} is closed: {why}")
        self.order_id = order_id
        self.why = why


@dataclass(frozen=True, slots=True)
class LineMessage:
    """One entry of an order's line: who wrote what, and the bot's message that carries it
    (in the receiver's chat; a prompt's in the writer's)."""

    order_id: OrderId
    side: Side  # the writer's
    said: Said
    at: datetime
    text: str = ""
    file_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    chat_id: int | None = None
    message_id: int | None = None


def side_of(order: Order, user: UserId) -> Side | None:
    """The user's side of the order's line, if they have one."""
    if user == order.customer_id:
        return Side.CUSTOMER
    if order.partner_id is not None and user == order.partner_id:
        return Side.RIDER
    return None


def check_open(order: Order, closed: bool) -> None:
    """Refuses a line whose order has no rider yet or has ended, or that an admin closed."""
    if closed:
        raise LineClosed(order.id, "closed by our team")
    if order.status.is_terminal:
        raise LineClosed(order.id, "the order is finished")
    if order.status not in OPEN_WHILE or order.partner_id is None:
        raise LineClosed(order.id, "no rider has the order yet")


def other_chat(order: Order, side: Side) -> int:
    """Where a message from `side` goes."""
    if side is Side.CUSTOMER:
        assert order.partner_id is not None
        return order.partner_id
    return order.customer_id
