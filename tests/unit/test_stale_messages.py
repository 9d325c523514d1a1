"""Which messages an order overtakes before they go out (domain.pipeline.stale)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.messages import (
    Delivered,
    DropOffPin,
    FindingPartner,
    Message,
    Offer,
    OfferExpired,
    OrderCancelled,
    OrderReady,
    OrderStatusChanged,
    OutForDelivery,
    PartnerAssigned,
    RestaurantTicket,
)
from domain.orders import OrderStatus as S
from domain.pipeline.stale import OrderNow, stale

RIDER, OTHER, CUSTOMER, KITCHEN = 2001, 2002, 1001, -500
AT = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
OFFER = Offer(7, "Dominos", "MG Road", "12 Residency Road", 50000, "INR", AT)


def now(status: S, partner: int | None = None, offered: tuple[int, ...] = ()) -> OrderNow:
    return OrderNow(status, partner, frozenset(offered))


@pytest.mark.parametrize(("message", "chat", "order"), [
    (OFFER, RIDER, now(S.PREPARING, offered=(RIDER,))),
    (DropOffPin(7, 1.0, 2.0), RIDER, now(S.PREPARING, offered=(RIDER,))),
    (FindingPartner(7), CUSTOMER, now(S.PREPARING)),
    (OrderReady(7), RIDER, now(S.PREPARING, RIDER)),
    (OutForDelivery(7), CUSTOMER, now(S.OUT_FOR_DELIVERY, RIDER)),
    (Delivered(7), CUSTOMER, now(S.DELIVERED, RIDER)),
    (PartnerAssigned(7, RIDER, "Ravi"), CUSTOMER, now(S.OUT_FOR_DELIVERY, RIDER)),
    (RestaurantTicket(7, 1, (), 100, "INR"), KITCHEN, now(S.CONFIRMED)),
])
def test_a_message_that_is_still_true_goes_out(message: Message, chat: int,
                                               order: OrderNow) -> None:
    assert stale(message, chat, order) is None


@pytest.mark.parametrize(("message", "chat", "order", "why"), [
    (OFFER, RIDER, now(S.PREPARING, offered=(OTHER,)), "offer is no longer open"),
    (OFFER, RIDER, now(S.OUT_FOR_DELIVERY, OTHER), "offer is no longer open"),
    (DropOffPin(7, 1.0, 2.0), RIDER, now(S.CANCELLED), "offer is no longer open"),
    (FindingPartner(7), CUSTOMER, now(S.PREPARING, RIDER), "partner has taken"),
    (FindingPartner(7), CUSTOMER, now(S.CANCELLED), "it is over"),
    (OrderReady(7), RIDER, now(S.OUT_FOR_DELIVERY, RIDER), "no longer waiting"),
    (OrderReady(7), RIDER, now(S.CANCELLED), "no longer waiting"),
    (OutForDelivery(7), CUSTOMER, now(S.DELIVERED, RIDER), "no longer on its way"),
    (PartnerAssigned(7, RIDER, "Ravi"), CUSTOMER, now(S.CANCELLED), "no longer with"),
    (RestaurantTicket(7, 1, (), 100, "INR"), KITCHEN, now(S.CANCELLED), "over"),
    (OFFER, RIDER, None, "no longer exists"),
    (Delivered(7), CUSTOMER, None, "no longer exists"),  # nothing left to show anew
])
def test_a_message_the_order_has_overtaken_is_not_sent(message: Message, chat: int,
                                                        order: OrderNow | None, why: str) -> None:
    assert why in (stale(message, chat, order) or "")


@pytest.mark.parametrize("message", [
    OrderStatusChanged(7, "DELIVERED", "OUT_FOR_DELIVERY"), OrderCancelled(7, "closed"),
    Delivered(7), OfferExpired(7),
])
def test_what_already_happened_is_always_told(message: Message) -> None:
    assert stale(message, CUSTOMER, now(S.CANCELLED)) is None
