"""Delivery partners in chat (DESIGN.md §5): join, go online, take an offer, deliver."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot import texts
from domain.errors import NotOffered, NotReady
from domain.ids import OrderId, UserId
from domain.lines import LineClosed
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from sandbox import BotApiServer, ChatMessage, SandboxUser
from storage.rows import OfferRow
from tests.e2e.fast_pipeline import (  # noqa: F401  (fixtures)
    no_flood_limits,
    ready_at_once,
    settings,
)
from tests.e2e.journey import (
    TIMEOUT,
    Uows,
    order_pizza,
    press,
    refused,
    say,
    stored_order,
)

PARTNER_2 = 2002


async def approve(uows: Uows, user: SandboxUser) -> None:
    """Sets the scene as /approve would (tested in test_partner_admin.py): the row APPROVED."""
    async with uows() as uow:
        partner = await uow.partners.get(UserId(user.id))
        partner = partner or Partner(UserId(user.id), user.name)
        await uow.partners.save(replace(partner, status=PartnerStatus.APPROVED))
        await uow.commit()


async def online_partner(uows: Uows, user: SandboxUser) -> None:
    await approve(uows, user)
    await say(user, "/online", "Online")


async def deliver(partner: SandboxUser, customer: SandboxUser, card: ChatMessage,
                  tracking: ChatMessage) -> ChatMessage:
    """The partner presses Picked up, then Delivered, on the job card; the customer hears of
    each: their tracking message arrives anew each time, under a headline that pings. Returns
    the last one, which shows DELIVERED; the messages before it stay as they were."""
    await press(partner, texts.PICKED_UP_BUTTON, "On the way", message_id=card.message_id)
    on_the_way = await customer.wait_for_new(
        lambda m: m.content.startswith("🛵 Order #") and "is on its way to you!" in m.content
        and texts.status(OrderStatus.OUT_FOR_DELIVERY) in m.content, timeout=TIMEOUT)
    await press(partner, texts.DELIVERED_BUTTON, "delivered. Thank you",
                message_id=card.message_id)
    shown = await customer.wait_for_new(
        lambda m: "has been delivered" in m.content
        and texts.status(OrderStatus.DELIVERED) in m.content, timeout=TIMEOUT)
    for earlier in (tracking.message_id, on_the_way.message_id):
        old = customer.message(earlier)
        assert old is not None and texts.status(OrderStatus.DELIVERED) not in old.content
    return shown


async def offer_for(user: SandboxUser) -> ChatMessage:
    return await user.wait_for(lambda m: m.has_button(texts.ACCEPT_OFFER_BUTTON),
                               timeout=TIMEOUT)


def order_id_of(tracking: ChatMessage) -> int:
    return int(tracking.content.split("Order #")[1].split()[0])


async def test_joining_asks_the_admins_and_waits_for_approval(
    bot: object, partner: SandboxUser, admin: SandboxUser, uows: Uows
) -> None:
    await say(admin, "/start", "Foodbot")
    await say(partner, "/partner", "with our admins")
    await admin.wait_for_text("Ravi wants to deliver", timeout=TIMEOUT)
    await say(partner, "/online", "approved delivery partners")  # not yet
    await approve(uows, partner)
    panel = await say(partner, "/online", "Online")
    await press(partner, texts.GO_OFFLINE_BUTTON, "Offline", message_id=panel.message_id)


@pytest.mark.usefixtures("ready_at_once")
async def test_an_order_goes_all_the_way_to_delivered_with_the_partner_pressing_the_buttons(
    bot: object, customer: SandboxUser, partner: SandboxUser, uows: Uows,
) -> None:
    await online_partner(uows, partner)
    tracking = await order_pizza(customer)
    offer = await offer_for(partner)
    assert "Dominos" in offer.content and "12 Residency Road" in offer.content

    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    await customer.wait_for_text("Delivery partner: Ravi", timeout=TIMEOUT)  # tracking
    shown = await deliver(partner, customer, card, tracking)

    for status in ("Confirmed", "Preparing", "On the way", "Delivered", "Ravi"):
        assert status in shown.content, shown.content
    order = await stored_order(uows, order_id_of(tracking))
    assert (order.status, order.partner_id) == (OrderStatus.DELIVERED, partner.id)
    await say(partner, "/job", texts.NO_JOB)

    # the first tracking message, left as it was, still has 💬: pressed now, it is refused
    first = customer.message(tracking.message_id)
    assert first is not None and first.has_button(texts.LINE_TO_RIDER_BUTTON)
    seen = len(customer.bot_messages)
    pressed = await customer.press(texts.LINE_TO_RIDER_BUTTON, message_id=tracking.message_id)
    told = await customer.wait_for_answer(pressed, timeout=TIMEOUT)
    assert told.text == texts.refusal(LineClosed(order.id, "the order is finished"))
    assert len(customer.bot_messages) == seen  # no prompt to reply to
    assert customer.message(tracking.message_id) == first
    assert (await stored_order(uows, order.id)).status == OrderStatus.DELIVERED

    # the stars on the delivered message: it shows the rating, under the same headline
    rated = await press(customer, "5⭐", "Your rating: ★★★★★", message_id=shown.message_id)
    assert rated.message_id == shown.message_id
    assert rated.content.startswith(f"🎉 Order #{order.id} has been delivered.")


async def test_a_stranger_pressing_forged_accept_data_is_refused_and_changes_nothing(
    bot: object, customer: SandboxUser, customer_2: SandboxUser, partner: SandboxUser,
    uows: Uows,
) -> None:
    await online_partner(uows, partner)
    tracking = await order_pizza(customer)
    await offer_for(partner)
    order_id = order_id_of(tracking)
    own = await say(customer_2, "/start", "Foodbot")

    answer = await refused(customer_2, data=f"oacc:{order_id}", message_id=own.message_id)
    assert answer.text == texts.refusal(NotOffered("forged"))
    order = await stored_order(uows, order_id)
    assert order.partner_id is None
    async with uows() as uow:
        offers = (await uow.session.execute(
            select(OfferRow.partner_id, OfferRow.state).where(OfferRow.order_id == order_id)
        )).all()
    assert [tuple(o) for o in offers] == [(partner.id, "open")]


async def test_declining_moves_the_offer_on_to_the_next_partner(
    bot: object, server: BotApiServer, customer: SandboxUser, partner: SandboxUser,
    uows: Uows,
) -> None:
    kiran = server.user(PARTNER_2, first_name="Kiran")
    await online_partner(uows, partner)
    await online_partner(uows, kiran)  # idle for less time: offered second
    tracking = await order_pizza(customer)
    offer = await offer_for(partner)

    await press(partner, texts.DECLINE_OFFER_BUTTON, "You declined",
                message_id=offer.message_id)
    second = await offer_for(kiran)
    assert f"order #{order_id_of(tracking)}" in second.content
    assert (await stored_order(uows, OrderId(order_id_of(tracking)))).partner_id is None


async def test_picking_up_before_the_kitchen_is_done_is_politely_refused(
    bot: object, customer: SandboxUser, partner: SandboxUser, uows: Uows
) -> None:
    await online_partner(uows, partner)  # Dominos takes its usual ~20 minutes
    tracking = await order_pizza(customer)
    offer = await offer_for(partner)
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)

    answer = await refused(partner, texts.PICKED_UP_BUTTON, message_id=card.message_id)
    assert answer.text == texts.refusal(NotReady("not yet"))
    order = await stored_order(uows, order_id_of(tracking))
    assert (order.status, order.partner_id) == (OrderStatus.PREPARING, partner.id)
    await say(partner, "/job", "Drop off: 12 Residency Road")
