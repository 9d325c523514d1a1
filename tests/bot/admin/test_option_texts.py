"""The admin console's wording for dish options: /options, /showorder's lines with the options
picked, and a help that fits Telegram's messages however many commands it lists."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from html import escape, unescape

from bot.admin import texts
from bot.admin.specs import COMMANDS
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.options import Option, OptionGroup, Picked
from domain.orders import DeliveryDetails, Order, OrderItem
from domain.restaurants import MenuItem
from domain.services.admin.orders import OrderDetail

AT = datetime(2026, 11, 25, 14, 5, tzinfo=UTC)
SIZE = OptionGroup("Size", (Option(1, "Regular"), Option(2, "Large", 20000, available=False)))
TOPPINGS = OptionGroup("Toppings & dips", (Option(3, "Olives", 3000),), 0, 3)
PIZZA = MenuItem(MenuItemId(12), RestaurantId(3), "Farmhouse Pizza", 39900,
                 groups=(SIZE, TOPPINGS))


def shown(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_options_show_each_group_how_many_to_pick_and_each_option_price_and_state() -> None:
    lines = shown(texts.options(PIZZA, "INR")).splitlines()
    assert lines[:8] == [
        "Options of dish #12 Farmhouse Pizza (₹399.00):", "",
        "Size · choose 1 (1)",
        "  • Regular +₹0.00 · available",
        "  • Large +₹200.00 · not available", "",
        "Toppings & dips · up to 3 (0-3)",
        "  • Olives +₹30.00 · available",
    ]
    assert "/setgroup 12 GROUP | CHOOSE | OPTION [+PRICE], ..." in lines[9]
    assert "/dropgroup 12 GROUP" in lines[10] and "/option 12 GROUP | OPTION | on or off" in (
        lines[11])
    assert "&amp;" in texts.options(PIZZA, "INR")


def test_a_dish_without_options_says_so_and_how_to_add_one() -> None:
    text = shown(texts.options(replace(PIZZA, groups=()), "INR"))
    assert text.startswith("The dish #12 Farmhouse Pizza (₹399.00) has no options")
    assert "/setgroup 12" in text and "/dropgroup" not in text


def test_a_change_is_said_first_then_the_options_as_they_are_now() -> None:
    assert shown(texts.group_set(PIZZA, "Size", "INR")).startswith(
        "Saved option group Size.\n\nOptions of dish #12")
    assert shown(texts.option_switched(PIZZA, "Large", False, "INR")).startswith(
        "Option Large is not available now.")


def test_an_orders_lines_show_the_options_picked() -> None:
    items = (OrderItem(12, "Farmhouse Pizza", 62900, 2,
                       (Picked(2, "Large", 20000), Picked(3, "Olives", 3000))),
             OrderItem(7, "Coke", 6000, 1))
    order = replace(Order.place(customer_id=UserId(1001), restaurant_id=RestaurantId(3),
                                items=items, currency="INR",
                                delivery=DeliveryDetails("MG Road"), at=AT), id=42)
    text = texts.order_detail(OrderDetail(order, "Dominos", "Asha", None, ()))
    assert "2 × Farmhouse Pizza (Large, Olives) — ₹1,258.00" in text
    assert "1 × Coke — ₹60.00" in text


def test_the_help_is_sent_in_messages_under_telegrams_limit_and_lists_every_command() -> None:
    pages = texts.admin_help_pages()
    assert all(len(shown(page)) <= texts.MAX_REPLY for page in pages)
    assert pages[0].startswith("<b>Admin commands</b>")
    assert pages[-1].endswith(texts.HELP_NOTE)
    for spec in COMMANDS.values():
        assert sum(f"<code>{escape(spec.syntax)}</code>" in p for p in pages) == 1
