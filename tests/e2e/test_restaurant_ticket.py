"""The restaurant manager's ticket (DESIGN.md §1): Accept or Reject, then Ready for pickup."""

from __future__ import annotations

from bot import texts
from domain.errors import NotAllowed
from domain.orders import OrderStatus
from sandbox import ChatMessage, SandboxUser
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
from tests.e2e.test_partners import offer_for, online_partner, order_id_of


async def ticket_for(kitchen: SandboxUser) -> ChatMessage:
    return await kitchen.wait_for(lambda m: m.has_button(texts.TICKET_ACCEPT_BUTTON),
                                  timeout=TIMEOUT)


async def test_the_kitchen_accepts_then_marks_ready_and_the_partner_can_pick_up(
    bot: object, customer: SandboxUser, partner: SandboxUser, manager: SandboxUser,
    uows: Uows,
) -> None:
    await online_partner(uows, partner)
    tracking = await order_pizza(customer)
    ticket = await ticket_for(manager)
    assert f"New order #{order_id_of(tracking)}" in ticket.content
    assert "1 × Pizza" in ticket.content

    await press(manager, texts.TICKET_ACCEPT_BUTTON, "being prepared",
                message_id=ticket.message_id)
    offer = await offer_for(partner)
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    await press(manager, texts.TICKET_READY_BUTTON, "ready for pickup",
                message_id=ticket.message_id)
    await press(partner, texts.PICKED_UP_BUTTON, "On the way", message_id=card.message_id)

    order = await stored_order(uows, order_id_of(tracking))
    assert order.status == OrderStatus.OUT_FOR_DELIVERY


async def test_the_kitchen_rejecting_cancels_the_order_and_tells_the_customer(
    bot: object, customer: SandboxUser, manager: SandboxUser, uows: Uows
) -> None:
    tracking = await order_pizza(customer)
    ticket = await ticket_for(manager)

    await press(manager, texts.TICKET_REJECT_BUTTON, "rejected", message_id=ticket.message_id)
    await customer.wait_for(
        lambda m: m.message_id == tracking.message_id
        and texts.status(OrderStatus.CANCELLED) in m.content, timeout=TIMEOUT)

    order = await stored_order(uows, order_id_of(tracking))
    assert order.status == OrderStatus.CANCELLED


async def test_a_ticket_button_pressed_outside_the_kitchen_chat_is_refused(
    bot: object, customer: SandboxUser, customer_2: SandboxUser, manager: SandboxUser,
    uows: Uows,
) -> None:
    tracking = await order_pizza(customer)
    await ticket_for(manager)
    order_id = order_id_of(tracking)
    own = await say(customer_2, "/start", "Foodbot")

    answer = await refused(customer_2, data=f"tacc:{order_id}", message_id=own.message_id)

    assert answer.text == texts.refusal(NotAllowed("not the kitchen"))
    order = await stored_order(uows, order_id)
    assert order.status == OrderStatus.CONFIRMED
