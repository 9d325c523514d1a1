"""Every outbox message renders as a friendly chat message, and survives the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import get_args

import pytest

from bot import callbacks
from bot.notices import headline, render
from domain.messages import (
    TYPES,
    AdminAlert,
    AlertReason,
    Delivered,
    DropOffPin,
    ErrorAlert,
    FindingPartner,
    Kind,
    MalformedMessage,
    Message,
    Milestone,
    NewMessage,
    Offer,
    OfferExpired,
    OrderCancelled,
    OrderFailed,
    OrderReady,
    OrderStatusChanged,
    OutForDelivery,
    PartnerApproved,
    PartnerAssigned,
    PartnerRequest,
    PartnerRevoked,
    RefundDone,
    RefundDue,
    RefundPromised,
    RestaurantTicket,
    TicketLine,
    decode,
    encode,
)

EXPIRES = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
EXAMPLES: list[NewMessage] = [
    OrderCancelled(7, "Dominos is closed"),
    RestaurantTicket(7, 1, (TicketLine("Pizza", 2), TicketLine("Coke", 1)), 54000, "INR",
                     delivery_fee=4000),
    Offer(7, "Dominos", "MG Road", "12 <Residency> Road", 54000, "INR", EXPIRES,
          delivery_fee=4000),
    DropOffPin(7, 12.97, 77.59),
    OfferExpired(7),
    FindingPartner(7),
    PartnerAssigned(7, 2001, "Ravi"),
    OrderReady(7),
    OrderFailed(7),
    AdminAlert(AlertReason.NO_PARTNER, 7, waited_s=300),
    AdminAlert(AlertReason.ORDER_FAILED, 7, error="TimeoutError: <db>"),
    PartnerRequest(2001, "Ravi"),
    PartnerApproved("Ravi"),
    PartnerRevoked("Ravi"),
    ErrorAlert("KeyError", "bot.handlers.cart.<lambda>", "callback_query"),
    RefundDue(54000, "INR", "cancelled by the restaurant", 7),
    RefundPromised(7, 54000, "INR"),
    RefundDone(54000, "INR", 7),
]


MILESTONES: list[Milestone] = [OutForDelivery(7), Delivered(7)]


def test_every_kind_has_one_type_and_an_example_here() -> None:
    assert set(TYPES) == set(Kind)
    assert {type(m) for m in [*EXAMPLES, *MILESTONES]} | {OrderStatusChanged} == set(
        get_args(Message))


@pytest.mark.parametrize("message", MILESTONES, ids=lambda m: type(m).__name__)
def test_a_milestone_has_a_headline_for_the_tracking_message_sent_anew(
        message: Milestone) -> None:
    words = headline(message)
    assert "#7" in words and "\n" not in words  # one line: what the ping shows first


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: type(m).__name__)
def test_every_new_message_renders_with_what_it_is_about(message: NewMessage) -> None:
    notice = render(message)
    if isinstance(message, DropOffPin):
        assert notice.location == (12.97, 77.59)
        return
    assert notice.text.strip() and notice.location is None
    assert "#7" in notice.text or "Ravi" in notice.text or "lambda" in notice.text


@pytest.mark.parametrize("message", [*EXAMPLES, *MILESTONES,
                                     OrderStatusChanged(7, "CONFIRMED", "CREATED")],
                         ids=lambda m: type(m).__name__)
def test_every_message_reads_back_from_its_json_as_it_was_written(message: Message) -> None:
    assert decode(message.KIND, encode(message)) == message


def test_an_offer_has_accept_and_decline_for_its_order_and_escapes_what_users_typed() -> None:
    notice = render(EXAMPLES[2])
    assert notice.keyboard is not None
    data = [b.callback_data for row in notice.keyboard.inline_keyboard for b in row]
    assert data == [callbacks.pack(callbacks.Action.OFFER_ACCEPT, 7),
                    callbacks.pack(callbacks.Action.OFFER_DECLINE, 7)]
    assert "12 &lt;Residency&gt; Road" in notice.text


def test_an_offer_links_the_drop_off_on_the_map_when_the_customer_shared_it() -> None:
    shared = render(Offer(7, "Dominos", "MG Road", "Home", 50000, "INR", EXPIRES, 12.97, 77.59))
    assert 'href="https://maps.google.com/?q=12.970000,77.590000"' in shared.text
    assert shared.location is None  # one message: no pin of its own
    typed = render(Offer(7, "Dominos", "MG Road", "Home", 50000, "INR", EXPIRES))
    assert "maps.google.com" not in typed.text


def test_admin_alerts_say_what_needs_a_person() -> None:
    assert "for 300 s" in render(AdminAlert(AlertReason.NO_PARTNER, 7, waited_s=300)).text
    failed = render(AdminAlert(AlertReason.ORDER_FAILED, 7, error="TimeoutError: <db>")).text
    assert "order #7 failed: TimeoutError: &lt;db&gt;" in failed


def test_an_error_alert_says_what_failed_where_while_handling_what() -> None:
    notice = render(ErrorAlert("KeyError", "bot.handlers.cart.<lambda>", "callback_query"))
    assert "KeyError" in notice.text and "callback_query" in notice.text
    assert "bot.handlers.cart.&lt;lambda&gt;" in notice.text  # escaped for HTML


def test_rows_written_by_the_previous_version_still_read() -> None:
    old_offer = {"order_id": 7, "restaurant": "Dominos", "pickup": "MG Road", "address": "x",
                 "latitude": 12.97, "longitude": 77.59, "total": 50000, "currency": "INR",
                 "expires_at": EXPIRES.isoformat()}
    assert decode("offer", old_offer) == Offer(7, "Dominos", "MG Road", "x", 50000, "INR",
                                               EXPIRES, 12.97, 77.59)  # read since issue 12
    del old_offer["latitude"], old_offer["longitude"]
    assert decode("offer", old_offer).latitude is None  # type: ignore[union-attr]
    ticket = {"order_id": 7, "restaurant_id": 1, "items": [{"name": "Pizza", "quantity": 2}],
              "total": 50000, "currency": "INR"}
    assert decode("restaurant_ticket", ticket) == RestaurantTicket(
        7, 1, (TicketLine("Pizza", 2),), 50000, "INR")  # no fee before issue 13: all dishes
    assert "Delivery: free" in render(decode("restaurant_ticket", ticket)).text


def test_the_kitchen_and_the_partner_see_the_orders_bill() -> None:
    ticket = render(EXAMPLES[1]).text
    assert "Items: ₹500.00\nDelivery: ₹40.00\n<b>Total: ₹540.00</b>" in ticket
    offer = render(EXAMPLES[2]).text
    assert "Pay on delivery: collect <b>₹540.00</b> (delivery ₹40.00 included)" in offer
    paid = render(replace(EXAMPLES[2], paid_online=True)).text  # type: ignore[type-var]
    assert "💳 Paid online — collect nothing\n" in paid


@pytest.mark.parametrize(("kind", "data", "why"), [
    ("from_the_future", {}, "unknown message kind"),
    ("delivered", {}, "order_id is missing"),
    ("delivered", {"order_id": "7"}, "expected int"),
    ("delivered", {"order_id": True}, "expected int"),
    ("offer", {"order_id": 7, "restaurant": "D", "pickup": "p", "address": "a", "total": 1,
               "currency": "INR", "expires_at": "2026-11-29T12:00:00"}, "with its zone"),
    ("admin_alert", {"reason": "bored", "order_id": 7}, "not a AlertReason"),
    ("restaurant_ticket", {"order_id": 7, "restaurant_id": 1, "items": [{"name": "P"}],
                           "total": 1, "currency": "INR"}, "quantity is missing"),
])
def test_a_row_that_does_not_fit_its_type_is_refused_with_the_reason(
    kind: str, data: dict[str, object], why: str,
) -> None:
    with pytest.raises(MalformedMessage, match=why):
        decode(kind, data)


def test_a_search_running_long_is_said_honestly_once_more() -> None:
    first, long = render(FindingPartner(7)).text, render(FindingPartner(7, True)).text
    assert "finding a delivery partner for order #7" in first
    assert "is taking longer than usual" in long and "Our team has been told" in long
