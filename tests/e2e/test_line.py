"""The private line (issue 15): during an active order its customer and rider write to each
other through the bot — text, a photo, a location — seeing neither's username or number; the
line closes when the order ends; admins read it with /showorder and can close it."""

from __future__ import annotations

import pytest

from bot import texts
from domain.errors import NotAllowed
from sandbox import ChatMessage, SandboxUser
from tests.e2e.fast_pipeline import no_flood_limits, ready_at_once, settings  # noqa: F401
from tests.e2e.journey import TIMEOUT, Uows, order_pizza, press, say
from tests.e2e.test_partners import offer_for, online_partner, order_id_of


async def prompt(user: SandboxUser, label: str, message_id: int) -> ChatMessage:
    await user.press(label, message_id=message_id)
    found = await user.wait_for_new(lambda m: "reply to this message" in m.content,
                                    timeout=TIMEOUT)
    assert found.force_reply
    return found


async def relayed(user: SandboxUser, expect: str) -> ChatMessage:
    return await user.wait_for(lambda m: "💬 From" in m.content and expect in m.content,
                               timeout=TIMEOUT)


@pytest.mark.usefixtures("ready_at_once")
async def test_customer_and_rider_talk_through_the_bot_until_the_order_is_delivered(
    bot: object, customer: SandboxUser, partner: SandboxUser, admin: SandboxUser, uows: Uows,
) -> None:
    await online_partner(uows, partner)
    tracking = await order_pizza(customer)
    offer = await offer_for(partner)
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    assert card.has_button(texts.LINE_TO_CUSTOMER_BUTTON)
    await customer.wait_for(lambda m: m.message_id == tracking.message_id
                            and m.has_button(texts.LINE_TO_RIDER_BUTTON), timeout=TIMEOUT)

    asked = await prompt(customer, texts.LINE_TO_RIDER_BUTTON, tracking.message_id)
    await customer.send("Please ring the bell twice", reply_to=asked.message_id)
    await customer.wait_for_text(texts.LINE_SENT, timeout=TIMEOUT)
    to_rider = await relayed(partner, "Please ring the bell twice")
    assert "From the customer, order #" in to_rider.content and "Asha" not in to_rider.content
    await partner.send("On my way, 5 minutes", reply_to=to_rider.message_id)
    to_customer = await relayed(customer, "On my way, 5 minutes")
    assert "From your rider Ravi" in to_customer.content
    await partner.send_photo(b"\x89PNG gate", "This gate?", reply_to=to_rider.message_id)
    photo = await customer.wait_for(lambda m: m.photo_file_id is not None, timeout=TIMEOUT)
    assert photo.caption is not None and "This gate?" in photo.caption
    await customer.share_location(12.9352, 77.6245, reply_to=to_customer.message_id)
    pin = await partner.wait_for(lambda m: m.location is not None, timeout=TIMEOUT)
    assert pin.location is not None and round(pin.location.latitude, 4) == 12.9352

    await press(partner, texts.PICKED_UP_BUTTON, "On the way", message_id=card.message_id)
    await press(partner, texts.DELIVERED_BUTTON, "delivered. Thank you",
                message_id=card.message_id)
    await customer.send("Thanks!", reply_to=to_customer.message_id)
    await customer.wait_for_text("This line is closed: the order is finished", timeout=TIMEOUT)
    assert "Thanks!" not in "".join(m.content for m in partner.bot_messages)
    shown = await say(admin, f"/showorder {order_id_of(tracking)}", "Line")
    for said in ("customer: Please ring the bell twice", "rider: On my way, 5 minutes",
                 "rider: [photo] This gate?", "customer: [location 12.93520, 77.62450]"):
        assert said in shown.content, shown.content
    audit = await say(admin, "/audit", "read_line")
    assert f"read_line order #{order_id_of(tracking)} · 4 messages" in audit.content


@pytest.mark.usefixtures("ready_at_once")
async def test_an_admin_closes_a_line_and_strangers_cannot_use_it(
    bot: object, customer: SandboxUser, customer_2: SandboxUser, partner: SandboxUser,
    admin: SandboxUser, uows: Uows,
) -> None:
    await online_partner(uows, partner)
    tracking = await order_pizza(customer)
    offer = await offer_for(partner)
    await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    own = await say(customer_2, "/start", "Foodbot")
    stranger = await customer_2.press_data(own.message_id, f"line:{order_id_of(tracking)}")
    refused = await customer_2.wait_for_answer(stranger, timeout=TIMEOUT)
    assert refused.show_alert and refused.text == texts.refusal(NotAllowed("not your order"))
    assert not any("reply to this message" in m.content for m in customer_2.bot_messages)

    answer = await say(admin, f"/closeline {order_id_of(tracking)}", "line")
    assert f"order #{order_id_of(tracking)}" in answer.content
    await customer.wait_for(lambda m: m.message_id == tracking.message_id
                            and m.has_button(texts.LINE_TO_RIDER_BUTTON), timeout=TIMEOUT)
    pressed = await customer.press(texts.LINE_TO_RIDER_BUTTON, message_id=tracking.message_id)
    told = await customer.wait_for_answer(pressed, timeout=TIMEOUT)
    assert told.text == "This line is closed: closed by our team. Thank you!"
