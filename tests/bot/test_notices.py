"""Every outbox kind renders as a friendly message; unknown ones are refused, not retried."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.notices import UnknownNotice, render
from domain.pipeline.model import Note
from domain.services.error_alerts import ERROR_ALERT
from domain.services.partners import PARTNER_REQUEST

DATA: dict[str, dict[str, object]] = {
    Note.ORDER_CANCELLED: {"order_id": 7, "reason": "Dominos is closed"},
    Note.RESTAURANT_TICKET: {"order_id": 7, "restaurant_id": 1, "currency": "INR",
                             "items": [{"name": "Pizza", "quantity": 2}], "total": 50000},
    Note.OFFER: {"order_id": 7, "restaurant": "Dominos", "pickup": "MG Road",
                 "address": "12 <Residency> Road", "latitude": 12.97, "longitude": 77.59,
                 "total": 50000, "currency": "INR", "expires_at": None},
    Note.OFFER_EXPIRED: {"order_id": 7},
    Note.FINDING_PARTNER: {"order_id": 7},
    Note.PARTNER_ASSIGNED: {"order_id": 7, "partner_id": 2001, "partner_name": "Ravi"},
    Note.ORDER_READY: {"order_id": 7},
    Note.OUT_FOR_DELIVERY: {"order_id": 7},
    Note.DELIVERED: {"order_id": 7},
    Note.ORDER_FAILED: {"order_id": 7},
    Note.ADMIN_ALERT: {"reason": "no_partner", "order_id": 7, "waited_s": 300},
    PARTNER_REQUEST: {"partner_id": 2001, "name": "Ravi"},
}


@pytest.mark.parametrize("kind", [k for k in DATA])
def test_every_kind_the_pipeline_writes_renders_with_its_order(kind: str) -> None:
    notice = render(kind, DATA[kind])
    assert notice.text.strip()
    assert "#7" in notice.text or "Ravi" in notice.text


def test_every_note_but_the_tracking_edit_has_a_rendering() -> None:
    assert {n.value for n in Note} - set(DATA) == {Note.ORDER_STATUS.value}


def test_an_offer_has_accept_and_decline_for_its_order_and_the_drop_off_pin() -> None:
    notice = render(Note.OFFER, DATA[Note.OFFER])
    assert notice.keyboard is not None
    data = [b.callback_data for row in notice.keyboard.inline_keyboard for b in row]
    assert data == [callbacks.pack(callbacks.Action.OFFER_ACCEPT, 7),
                    callbacks.pack(callbacks.Action.OFFER_DECLINE, 7)]
    assert notice.location == (12.97, 77.59)
    assert "12 &lt;Residency&gt; Road" in notice.text  # user text is escaped


def test_a_kind_this_version_does_not_know_is_refused() -> None:
    with pytest.raises(UnknownNotice):
        render("from_the_future", {})
    with pytest.raises(UnknownNotice):
        render(Note.DELIVERED, {})


def test_an_error_alert_says_what_failed_where_while_handling_what() -> None:
    notice = render(ERROR_ALERT, {"error_type": "KeyError", "update_kind": "callback_query",
                                  "where": "bot.handlers.cart.<lambda>"})
    assert "KeyError" in notice.text and "callback_query" in notice.text
    assert "bot.handlers.cart.&lt;lambda&gt;" in notice.text  # escaped for HTML
