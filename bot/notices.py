"""Outbox messages -> what the chat shows: every new message the domain writes, worded by
texts.py. mypy checks that every type is rendered (`assert_never`).

`OrderStatusChanged` is not here: it is not a new message but an edit of the customer's live
tracking message (bot/tracking.py), re-rendered from the database. Nor are the milestones
(`domain.messages.Milestone`): the tracking message sent anew, under `headline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from telegram import InlineKeyboardMarkup

from bot import keyboards, texts
from domain.messages import (
    AdminAlert,
    Delivered,
    DropOffPin,
    ErrorAlert,
    FindingPartner,
    Milestone,
    NewMessage,
    Offer,
    OfferExpired,
    OrderCancelled,
    OrderFailed,
    OrderReady,
    OutForDelivery,
    PartnerApproved,
    PartnerAssigned,
    PartnerRequest,
    PartnerRevoked,
    RefundDone,
    RefundDue,
    RefundPromised,
    RestaurantTicket,
)


@dataclass(frozen=True, slots=True)
class Notice:
    """A text message (with its buttons), or a map pin when `location` is set."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    location: tuple[float, float] | None = None


def render(message: NewMessage) -> Notice:
    """The chat message for an outbox message."""
    match message:
        case RestaurantTicket():
            return Notice(texts.restaurant_ticket(message),
                          keyboards.ticket(message.order_id, message.items))
        case Offer():
            return Notice(texts.offer(message), keyboards.offer(message.order_id))
        case DropOffPin():
            return Notice("", location=(message.latitude, message.longitude))
        case OrderCancelled():
            return Notice(texts.order_cancelled(message))
        case OfferExpired():
            return Notice(texts.offer_expired(message))
        case FindingPartner():
            return Notice(texts.finding_partner(message))
        case PartnerAssigned():
            return Notice(texts.partner_assigned(message))
        case OrderReady():
            return Notice(texts.order_ready(message))
        case OrderFailed():
            return Notice(texts.order_failed(message))
        case AdminAlert():
            return Notice(texts.admin_alert(message))
        case ErrorAlert():
            return Notice(texts.error_alert(message))
        case PartnerRequest():
            return Notice(texts.partner_request(message))
        case PartnerApproved():
            return Notice(texts.partner_approved(message))
        case PartnerRevoked():
            return Notice(texts.partner_revoked(message))
        case RefundDue():
            return Notice(texts.refund_due(message))
        case RefundPromised():
            return Notice(texts.refund_promised(message))
        case RefundDone():
            return Notice(texts.refund_done(message))
        case _:
            assert_never(message)


def headline(milestone: Milestone) -> str:
    """The line above the tracking message sent anew: what the ping says first."""
    match milestone:
        case OutForDelivery():
            return texts.out_for_delivery(milestone)
        case Delivered():
            return texts.delivered(milestone)
        case _:
            assert_never(milestone)
