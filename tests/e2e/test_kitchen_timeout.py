"""A kitchen that does not answer its ticket (issue 14): after the restaurant's time the admins
are told, and the order is cancelled with the customer told, or accepted for the kitchen and
offered to a partner, as the restaurant is set (/kitchen)."""

from __future__ import annotations

from dataclasses import replace

from bot import texts
from domain.orders import OrderStatus
from domain.restaurants import Unanswered
from sandbox import SandboxUser
from tests.e2e.fast_pipeline import (  # noqa: F401  (fixtures)
    no_flood_limits,
    ready_at_once,
    settings,
)
from tests.e2e.journey import TIMEOUT, Uows, eventually, order_pizza, restaurant, say, stored_order
from tests.e2e.test_partners import offer_for, online_partner, order_id_of
from tests.e2e.test_restaurant_ticket import ticket_for


async def answer_within_a_second(uows: Uows, then: Unanswered) -> None:
    dominos = await restaurant(uows, "Dominos")
    async with uows() as uow:
        await uow.restaurants.save(replace(dominos, answer_within_s=1, unanswered=then))
        await uow.commit()


async def test_an_unanswered_ticket_cancels_the_order_and_tells_customer_and_admins(
    bot: object, customer: SandboxUser, admin: SandboxUser, manager: SandboxUser, uows: Uows,
) -> None:
    await say(admin, "/start", "Foodbot")
    dominos = await restaurant(uows, "Dominos")
    set_to = await say(admin, f"/kitchen {dominos.id} 2 | cancel", "its kitchen answers")
    assert "within 2 min; an order it leaves unanswered is cancelled" in set_to.content
    await answer_within_a_second(uows, Unanswered.CANCEL)
    tracking = await order_pizza(customer)
    await ticket_for(manager)  # and nobody presses anything

    await customer.wait_for(
        lambda m: m.message_id == tracking.message_id
        and texts.status(OrderStatus.CANCELLED) in m.content, timeout=TIMEOUT)
    alert = await admin.wait_for_text("did not answer", timeout=TIMEOUT)
    told = await manager.wait_for_text("has been cancelled", timeout=TIMEOUT)

    order_id = order_id_of(tracking)
    assert f"order #{order_id} within 1 s: cancelled, the customer told" in alert.content
    assert f"Order #{order_id}" in told.content
    order = await stored_order(uows, order_id)
    assert order.status == OrderStatus.CANCELLED


async def test_an_unanswered_ticket_is_accepted_for_a_kitchen_set_so(
    bot: object, customer: SandboxUser, partner: SandboxUser, admin: SandboxUser,
    manager: SandboxUser, uows: Uows, ready_at_once: None,  # noqa: F811
) -> None:
    await say(admin, "/start", "Foodbot")
    await online_partner(uows, partner)
    await answer_within_a_second(uows, Unanswered.ACCEPT)
    tracking = await order_pizza(customer)
    await ticket_for(manager)

    offer = await offer_for(partner)
    alert = await admin.wait_for_text("did not answer", timeout=TIMEOUT)

    order_id = order_id_of(tracking)
    assert f"order #{order_id}" in offer.content and "accepted for it" in alert.content
    order = await eventually(lambda: _preparing(uows, order_id))
    assert order == OrderStatus.PREPARING


async def _preparing(uows: Uows, order_id: int) -> OrderStatus | None:
    order = await stored_order(uows, order_id)
    return order.status if order.status == OrderStatus.PREPARING else None
