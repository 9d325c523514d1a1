"""Dish options in chat (issue 14): ➕ on a dish with options opens its card in place of the
menu; options are picked on it with a running price; ✅ Add puts the dish with its options in
the cart, where another choice of the same dish is another line; the options go with the
order to the summary, the kitchen's ticket, the partner's job card and the tracking message."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot import texts
from bot.settings import Settings
from domain.options import Option
from domain.orders import OrderStatus
from sandbox import BotApiServer, ChatMessage, SandboxUser
from tests.e2e.conftest import e2e_settings
from tests.e2e.fast_pipeline import no_flood_limits  # noqa: F401  (fixtures)
from tests.e2e.journey import (
    TIMEOUT,
    Uows,
    cart_of,
    change_dish,
    item,
    open_menu,
    order_count,
    press,
    refused,
    say,
)
from tests.e2e.test_partners import offer_for, online_partner, order_id_of


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    """The fast pipeline's settings, without the catalogue cache: these tests change dishes
    behind the bot's back (an admin's change would tell the cache; see test_option_admin)."""
    return e2e_settings(server, tmp_path, queue_interval_s=0.05, outbox_interval_s=0.05,
                        rate_limit_per_chat_per_s=20.0, catalogue_cache_ttl_s=0)


FARMHOUSE = "➕ Farmhouse Pizza · from ₹399.00"
LARGE = "○ Large +₹200.00"
OLIVES = "☐ Olives +₹30.00"


async def card_of(customer: SandboxUser, menu: ChatMessage) -> ChatMessage:
    """➕ on the Farmhouse Pizza: its card, drawn over the menu it was pressed on."""
    card = await press(customer, FARMHOUSE, "Size (choose 1): Regular",
                       message_id=menu.message_id)
    assert card.message_id == menu.message_id
    return card


async def large_with_olives(customer: SandboxUser) -> ChatMessage:
    """The customer picks a large Farmhouse Pizza with olives and adds it; returns the menu."""
    card = await card_of(customer, await open_menu(customer))
    assert "Price: ₹399.00" in card.content and card.has_button("● Regular")
    await press(customer, LARGE, "₹599.00", message_id=card.message_id)
    await press(customer, OLIVES, "₹629.00", message_id=card.message_id)
    return await press(customer, "✅ Add · ₹629.00", "In your cart: 1 item · ₹629.00",
                       message_id=card.message_id)


async def test_an_order_with_options_reaches_the_kitchen_the_partner_and_the_tracking(
    bot: object, customer: SandboxUser, partner: SandboxUser, manager: SandboxUser,
    uows: Uows,
) -> None:
    await online_partner(uows, partner)
    menu = await large_with_olives(customer)
    card = await card_of(customer, menu)  # a second one, as it comes: Regular
    await press(customer, "✅ Add · ₹399.00", "In your cart: 2 items · ₹1,028.00",
                message_id=card.message_id)
    cart = await press(customer, texts.CART_BUTTON, "Your cart")
    assert "1 × Farmhouse Pizza (Large, Olives) — ₹629.00" in cart.content
    assert "1 × Farmhouse Pizza (Regular) — ₹399.00" in cart.content
    cart = await press(customer, "➕ Farmhouse Pizza (Regular)", "2 × Farmhouse Pizza (Regular)")
    assert "1 × Farmhouse Pizza (Large, Olives)" in cart.content  # the other line as it was

    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    summary = await say(customer, "12 Residency Road", "Check your order")
    assert "1 × Farmhouse Pizza (Large, Olives) — ₹629.00" in summary.content
    assert "2 × Farmhouse Pizza (Regular) — ₹798.00" in summary.content
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #")
    assert "1 × Farmhouse Pizza (Large, Olives) — ₹629.00" in tracking.content

    ticket = await manager.wait_for(lambda m: m.has_button(texts.TICKET_ACCEPT_BUTTON),
                                    timeout=TIMEOUT)
    assert "1 × Farmhouse Pizza (Large, Olives)" in ticket.content
    assert "2 × Farmhouse Pizza (Regular)" in ticket.content
    await press(manager, texts.TICKET_ACCEPT_BUTTON, "accepted", message_id=ticket.message_id)
    offer = await offer_for(partner)
    job = await press(partner, texts.ACCEPT_OFFER_BUTTON, "Pick up", message_id=offer.message_id)
    assert "1 × Farmhouse Pizza (Large, Olives)" in job.content
    assert "2 × Farmhouse Pizza (Regular)" in job.content
    async with uows() as uow:
        order = await uow.orders.get(order_id_of(tracking))  # type: ignore[arg-type]
    assert order is not None and order.status == OrderStatus.PREPARING
    assert [(i.choices, i.unit_price, i.quantity) for i in order.items] == [
        ("Large, Olives", 62900, 1), ("Regular", 39900, 2)]


async def test_the_card_keeps_to_each_groups_rule_and_changes_nothing_until_add(
    bot: object, customer: SandboxUser, uows: Uows,
) -> None:
    card = await card_of(customer, await open_menu(customer))
    for topping, picked in (("☐ Olives +₹30.00", "Olives"),
                            ("☐ Jalapeño +₹30.00", "Olives, Jalapeño"),
                            ("☐ Extra cheese +₹50.00", "Olives, Jalapeño, Extra cheese")):
        card = await press(customer, topping, f"Toppings (up to 3): {picked}\n",
                           message_id=card.message_id)
    assert card.has_button("☑ Extra cheese +₹50.00")
    await press(customer, "☑ Jalapeño +₹30.00", "Toppings (up to 3): Olives, Extra cheese\n",
                message_id=card.message_id)
    await press(customer, "☐ Jalapeño +₹30.00", "Olives, Jalapeño, Extra cheese",
                message_id=card.message_id)
    card = await press(customer, "○ Medium +₹100.00", "Size (choose 1): Medium",
                       message_id=card.message_id)
    assert "Price: ₹609.00" in card.content  # 399 + 100 + 30 + 30 + 50
    assert await cart_of(uows, customer.id) == {}  # picking writes nothing

    size, toppings = (await item(uows, "Farmhouse Pizza")).groups
    await change_dish(uows, "Farmhouse Pizza", groups=(
        size, replace(toppings, options=(*toppings.options, Option(7, "Paneer", 6000)))))
    started_again = await press(customer, "● Medium +₹100.00", "have just changed",
                                message_id=card.message_id)
    assert "Size (choose 1): Regular" in started_again.content
    assert "Toppings (up to 3): —" in started_again.content


async def test_a_topping_past_the_groups_most_is_refused_politely(
    bot: object, customer: SandboxUser, uows: Uows,
) -> None:
    size, toppings = (await item(uows, "Farmhouse Pizza")).groups
    await change_dish(uows, "Farmhouse Pizza", groups=(size, replace(
        toppings, options=(*toppings.options, Option(7, "Paneer", 6000)), most=2)))
    card = await card_of(customer, await open_menu(customer))
    for topping, picked in (("☐ Olives +₹30.00", "Olives"),
                            ("☐ Paneer +₹60.00", "Olives, Paneer")):
        card = await press(customer, topping, f"Toppings (up to 2): {picked}\n",
                           message_id=card.message_id)

    answer = await refused(customer, "☐ Extra cheese +₹50.00", message_id=card.message_id)

    assert answer.text == "Toppings: at most 2. Unpick one first."
    unchanged = customer.message(card.message_id)
    assert unchanged is not None and "Toppings (up to 2): Olives, Paneer\n" in unchanged.content


@pytest.mark.parametrize("change", ["price", "gone"])
async def test_an_option_changed_after_the_summary_shows_a_new_summary_and_places_nothing(
    bot: object, customer: SandboxUser, uows: Uows, change: str,
) -> None:
    menu = await large_with_olives(customer)
    await press(customer, "➕ Coke 500 ml · ₹60.00", "In your cart: 2 items",
                message_id=menu.message_id)
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CHECKOUT_BUTTON, "Where should we deliver")
    summary = await say(customer, "12 Residency Road", "Check your order")
    size, toppings = (await item(uows, "Farmhouse Pizza")).groups
    large = size.options[2]
    changed = (replace(large, price=25000) if change == "price"
               else replace(large, available=False))
    size = replace(size, options=(*size.options[:2], changed))
    await change_dish(uows, "Farmhouse Pizza", groups=(size, toppings))

    again = await press(customer, texts.PLACE_BUTTON, "Something changed",
                        message_id=summary.message_id)

    assert await order_count(uows) == 0
    if change == "price":
        assert "Farmhouse Pizza (Large, Olives): ₹629.00 → ₹679.00" in again.content
        assert "1 × Farmhouse Pizza (Large, Olives) — ₹679.00" in again.content
    else:
        assert "no longer available, taken out: Farmhouse Pizza" in again.content


async def test_a_dish_with_options_and_a_photo_opens_its_card_below_the_photo(
    bot: object, customer: SandboxUser, server: BotApiServer, uows: Uows,
) -> None:
    photo = server.state.files.add("photo", b"\x89PNG fake pizza", "farm.png", "image/png")
    await change_dish(uows, "Farmhouse Pizza", photo_file_id=photo.file_id)
    await open_menu(customer)
    await customer.press("📷 Farmhouse Pizza")
    shown = await customer.wait_for_new(lambda m: m.photo_file_id is not None)
    assert shown.caption is not None and shown.caption.startswith("Farmhouse Pizza — from ₹399")

    card = await press(customer, texts.CHOOSE_OPTIONS_BUTTON, "Size (choose 1): Regular",
                       message_id=shown.message_id)
    assert card.message_id != shown.message_id and card.photo_file_id is None
    await press(customer, "✅ Add · ₹399.00", "In your cart: 1 item · ₹399.00",
                message_id=card.message_id)
    assert await cart_of(uows, customer.id) == {"Farmhouse Pizza": 1}
