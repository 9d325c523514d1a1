"""Messages the order has overtaken before they went out (DESIGN.md §4).

An outbox row is written with the change that causes it, but it may leave much later: the
chat was paced, Telegram asked to wait, the process was killed and restarted. By then an offer
may have gone to someone else, a "we're finding a partner" may be answered. Just before a
message is sent, the sender asks `stale` with the order as it is now; a stale message is not
sent (its row records why). The customer's tracking message is never stale: it is re-rendered
from the database, so it always carries the truth; sent anew at a milestone, it is stale only
once the order has passed that milestone (the next one sends it again).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.messages import (
    Delivered,
    DropOffPin,
    FindingPartner,
    Message,
    Offer,
    OrderReady,
    OutForDelivery,
    PartnerAssigned,
    RestaurantTicket,
)
from domain.orders import OrderStatus


@dataclass(frozen=True, slots=True)
class OrderNow:
    """What a message about an order is checked against, read just before it is sent."""

    status: OrderStatus
    partner_id: int | None
    offered_to: frozenset[int]  # partners holding an open offer for it


def order_of(message: Message) -> int | None:
    """The order a message could be overtaken by; None for messages that never go stale."""
    match message:
        case (Offer() | DropOffPin() | FindingPartner() | OrderReady() | OutForDelivery()
              | Delivered() | PartnerAssigned() | RestaurantTicket()):
            return message.order_id
        case _:
            return None


def stale(message: Message, chat_id: int, order: OrderNow | None) -> str | None:
    """Why the message no longer tells the truth, or None when it should be sent."""
    if order_of(message) is None:
        return None
    if order is None:
        return "the order no longer exists"
    match message:
        case Offer() | DropOffPin() if chat_id not in order.offered_to:
            return "the offer is no longer open"
        case FindingPartner() if order.partner_id is not None or order.status.is_terminal:
            return "a partner has taken the order, or it is over"
        case OrderReady() if order.partner_id != chat_id or order.status != OrderStatus.PREPARING:
            return "the order is no longer waiting for this partner at the restaurant"
        case OutForDelivery() if order.status != OrderStatus.OUT_FOR_DELIVERY:
            return "the order is no longer on its way"
        case PartnerAssigned() if order.partner_id != message.partner_id or (
                order.status.is_terminal):
            return "the order is no longer with this partner"
        case RestaurantTicket() if order.status.is_terminal:
            return "the order is over"
        case _:
            return None
