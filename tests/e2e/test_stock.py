"""Sold out and portions left through the real bot (issue 14): the menu says so, a dish
sold out while the customer is at the summary is taken out when Place order is pressed, and a
cancelled order's portions are on the very next menu again (its browse screens come from the
catalogue cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import texts
from bot.admin import texts as texts_admin
from bot.settings import Settings
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import still_queue_settings
from tests.e2e.journey import (
    Uows,
    add_dishes,
    checkout_to_summary,
    item,
    open_menu,
    press,
    say,
)


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return still_queue_settings(server, tmp_path)


async def test_a_dish_sold_out_during_checkout_is_taken_out_of_the_order(
    bot: object, customer: SandboxUser, admin: SandboxUser, uows: Uows
) -> None:
    pizza, coke = await item(uows, "Pizza"), await item(uows, "Coke 500 ml")
    counted = await say(admin, f"/stock {pizza.id} 3", "Changed dish")
    assert "3 left" in counted.content
    menu = await open_menu(customer)
    assert "Pizza — ₹250.00 · only 3 left" in menu.text
    await add_dishes(customer, "➕ Pizza · ₹250.00", "➕ Coke 500 ml · ₹60.00")
    summary = await checkout_to_summary(customer)

    await say(admin, f"/soldout {coke.id}", "sold out")
    again = await press(customer, texts.PLACE_BUTTON, "Something changed",
                        message_id=summary.message_id)

    assert "no longer available, taken out: Coke 500 ml" in again.content
    assert "Total: ₹250.00" in again.content
    placed = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=again.message_id)
    assert "1 × Pizza" in placed.content
    menu = await open_menu(customer)
    assert "Pizza — ₹250.00 · only 2 left" in menu.text
    assert "Coke 500 ml — ₹60.00 · sold out" in menu.text
    assert not menu.has_button("➕ Coke 500 ml · ₹60.00")


async def test_a_kitchen_marks_its_own_dish_sold_out_and_nobody_else_can(
    bot: object, customer: SandboxUser, manager: SandboxUser, uows: Uows
) -> None:
    coke, biryani = await item(uows, "Coke 500 ml"), await item(uows, "Chicken Biryani")

    done = await say(manager, f"/soldout {coke.id}", "Changed dish")
    other = await say(manager, f"/soldout {biryani.id}", texts_admin.NOT_ADMIN)
    stranger = await say(customer, f"/stock {coke.id} 50", texts_admin.NOT_ADMIN)

    assert "sold out" in done.content
    assert other.content == stranger.content == texts_admin.NOT_ADMIN
    assert ((await item(uows, "Coke 500 ml")).stock,
            (await item(uows, "Chicken Biryani")).stock) == (0, None)


async def test_a_cancelled_orders_last_portion_is_on_the_next_menu_again(
    bot: object, customer: SandboxUser, customer_2: SandboxUser, admin: SandboxUser, uows: Uows
) -> None:
    pizza = await item(uows, "Pizza")
    await say(admin, f"/stock {pizza.id} 1", "Changed dish")
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    summary = await checkout_to_summary(customer)
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=summary.message_id)
    sold_out = await open_menu(customer_2)
    assert "Pizza — ₹250.00 · sold out" in sold_out.text
    assert "Pizza — ₹250.00 · sold out" in (await open_menu(customer_2)).text  # now cached

    await press(customer, texts.CANCEL_ORDER_BUTTON, "Cancel order", message_id=tracking.message_id)
    await press(customer, texts.CANCEL_YES_BUTTON, "✖ Cancelled")

    menu = await open_menu(customer_2)
    assert "Pizza — ₹250.00 · only 1 left" in menu.text
    assert menu.has_button("➕ Pizza · ₹250.00")
