"""Delivery fees and minimum orders through the real bot (issue 13): an admin sets a
restaurant's terms, the customer sees them on the menu and in the cart, cannot check out below
the minimum, and the same bill is on the summary, the tracking message, the kitchen's ticket,
the partner's offer and job card, and the admin's /showorder."""

from __future__ import annotations

from bot import texts
from domain.bill import Bill
from domain.errors import BelowMinimum
from sandbox import SandboxUser
from tests.e2e.fast_pipeline import (  # noqa: F401  (fixtures)
    no_flood_limits,
    ready_at_once,
    settings,
)
from tests.e2e.journey import (
    Uows,
    add_dishes,
    open_menu,
    press,
    refused,
    restaurant,
    say,
    stored_order,
)
from tests.e2e.test_partners import offer_for, online_partner, order_id_of
from tests.e2e.test_restaurant_ticket import ticket_for

PIZZA = "➕ Pizza · ₹250.00"
BILL = "Items: ₹500.00\nDelivery: ₹40.00\nTotal: ₹540.00"


async def test_a_customer_pays_the_fee_the_admin_set_and_everyone_sees_one_bill(
    bot: object, admin: SandboxUser, customer: SandboxUser, partner: SandboxUser,
    manager: SandboxUser, uows: Uows,
) -> None:
    dominos = await restaurant(uows, "Dominos")
    set_to = await say(admin, f"/fees {dominos.id} 40 | 600 | 300", "Delivery")
    assert "🛵 Delivery ₹40.00 · free from ₹600.00 · minimum order ₹300.00" in set_to.content
    await online_partner(uows, partner)

    menu = await open_menu(customer)
    assert "🛵 Delivery ₹40.00 · free from ₹600.00 · minimum order ₹300.00" in menu.content
    one = await add_dishes(customer, PIZZA)
    assert "add ₹50.00 more to order" in one.content
    cart = await press(customer, texts.CART_BUTTON, "Your cart")
    assert "Minimum order ₹300.00: add ₹50.00 more to check out" in cart.content
    answer = await refused(customer, texts.CHECKOUT_BUTTON, message_id=cart.message_id)
    assert answer.text == texts.refusal(BelowMinimum(5000, 30000, "INR"))

    await open_menu(customer)
    await add_dishes(customer, PIZZA)
    cart = await press(customer, texts.CART_BUTTON, "Your cart")
    assert "Free delivery from ₹600.00: add ₹100.00 more" in cart.content
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    summary = await say(customer, "12 Residency Road", "Check your order")
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #")

    assert f"{BILL} · pay on delivery" in summary.content
    assert f"{BILL} · pay on delivery" in tracking.content
    order_id = order_id_of(tracking)
    assert (await stored_order(uows, order_id)).bill == Bill("INR", 50000, 4000)
    ticket = await ticket_for(manager)
    assert BILL in ticket.content
    await press(manager, texts.TICKET_ACCEPT_BUTTON, "being prepared",
                message_id=ticket.message_id)
    offer = await offer_for(partner)
    assert "Pay on delivery: collect ₹540.00 (delivery ₹40.00 included)" in offer.content
    card = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    assert BILL in card.content and "Pay on delivery: collect ₹540.00" in card.content
    shown = await say(admin, f"/showorder {order_id}", f"Order #{order_id}")
    assert BILL in shown.content


async def test_a_second_admin_change_reaches_the_open_summary_before_it_is_placed(
    bot: object, admin: SandboxUser, customer: SandboxUser, uows: Uows,
) -> None:
    dominos = await restaurant(uows, "Dominos")
    await open_menu(customer)
    await add_dishes(customer, PIZZA)
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    summary = await say(customer, "12 Residency Road", "Check your order")
    assert "Delivery: free" in summary.content
    await say(admin, f"/fees {dominos.id} 30", "Delivery")

    again = await press(customer, texts.PLACE_BUTTON, "Something changed",
                        message_id=summary.message_id)

    assert "delivery: ₹0.00 → ₹30.00" in again.content
    assert "Items: ₹250.00\nDelivery: ₹30.00\nTotal: ₹280.00" in again.content
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=again.message_id)
    assert (await stored_order(uows, order_id_of(tracking))).total.amount == 28000
