"""What one delivered order costs in Telegram calls, and what the customer and the partner see
(issue 12): counted by the local Bot API server while the partner presses the real buttons."""

from __future__ import annotations

from collections import Counter

import pytest

from bot import texts
from sandbox import BotApiServer, SandboxUser
from tests.e2e.fast_pipeline import (  # noqa: F401  (fixtures)
    no_flood_limits,
    ready_at_once,
    settings,
)
from tests.e2e.journey import TIMEOUT, Uows, add_dishes, open_menu, press
from tests.e2e.test_partners import deliver, offer_for, online_partner

HOME = (12.9716, 77.5946)
# was 8; 7 once the drop-off pin rode in the offer; 5 since "on its way" and "delivered" send
# the tracking message anew instead of an edit and a ping beside it (bench/calls.py)
NOTIFICATIONS_PER_ORDER = 5


@pytest.mark.usefixtures("ready_at_once")
async def test_a_delivered_order_costs_at_most_five_calls_and_the_customer_is_pinged_twice(
    bot: object, server: BotApiServer, customer: SandboxUser, partner: SandboxUser, uows: Uows,
) -> None:
    await online_partner(uows, partner)
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    await customer.tap_reply_button(texts.SHARE_LOCATION_BUTTON, location=HOME)
    await customer.wait_for_new(lambda m: "Check your order" in m.content, timeout=TIMEOUT)
    before = len(customer.bot_messages)
    calls: Counter[tuple[int, str]] = Counter()
    server.before_call(lambda method, chat: calls.update([(chat, method)]) if chat else None)
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #")

    offer = await offer_for(partner)
    assert 'href="https://maps.google.com/?q=12.971600,77.594600"' in offer.html
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    assert "maps.google.com" in card.html  # the job card keeps the way to the customer
    await customer.wait_for(lambda m: m.message_id == tracking.message_id
                            and "Delivery partner: Ravi" in m.content, timeout=TIMEOUT)
    shown = await deliver(partner, customer, card, tracking)
    server.before_call(None)

    pings = [m.content for m in customer.bot_messages[before:]]  # the summary is tracking now
    assert len(pings) == 2  # the tracking message anew, twice, each showing the whole order
    assert "is on its way" in pings[0] and "has been delivered" in pings[1]
    assert all("Pizza" in ping and "Ravi" in ping for ping in pings)
    assert "Ravi" in shown.content
    assert [m for m in partner.bot_messages if m.location is not None] == []  # no pin
    # what the bot sent on its own: the customer's calls after the Place press's own reply
    # (one edit), and the partner's new messages (their presses' replies are edits)
    customer_calls = sum(n for (chat, _), n in calls.items() if chat == customer.id) - 1
    partner_sent = sum(n for (chat, method), n in calls.items()
                       if chat == partner.id and method.startswith("send"))
    assert partner_sent == 1  # the offer
    assert calls[(customer.id, "sendmessage")] == 2  # on its way, delivered: both ping
    # the Place press's reply, then "being prepared" and the partner's name (one edit when
    # the partner is quicker than the first): no edit beside a ping
    assert 2 <= calls[(customer.id, "editmessagetext")] <= 3
    assert customer_calls + partner_sent <= NOTIFICATIONS_PER_ORDER
