"""The cart: add, +/−, remove, clear, one restaurant at a time, kept in the database."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete

from bot import texts
from bot.context import AppType
from bot.settings import Settings
from bot.wiring import polling, seed_database
from sandbox import SandboxUser
from storage.rows import CustomerRow
from tests.e2e.journey import (
    Uows,
    add_dishes,
    cart_of,
    item,
    open_menu,
    press,
    refused,
    say,
)


async def test_dishes_added_from_the_menu_show_in_the_cart_with_their_total(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await open_menu(customer)
    menu = await add_dishes(customer, "➕ Pizza · ₹250.00", "➕ Pizza · ₹250.00",
                            "➕ Coke 500 ml · ₹60.00")
    assert "Pizza — ₹250.00 · 🛒 2" in menu.text and "In your cart: 3 items · ₹560.00" in menu.text

    cart = await press(customer, texts.CART_BUTTON, "Your cart")

    assert "2 × Pizza — ₹500.00" in cart.text and "1 × Coke 500 ml — ₹60.00" in cart.text
    assert "Total: ₹560.00" in cart.text
    assert await cart_of(uows, customer.id) == {"Pizza": 2, "Coke 500 ml": 1}


async def test_plus_minus_remove_and_clear_change_the_cart(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00", "➕ Coke 500 ml · ₹60.00")
    await press(customer, texts.CART_BUTTON, "Your cart")

    assert "2 × Pizza" in (await press(customer, "➕ Pizza", "2 × Pizza")).text
    assert "Total: ₹310.00" in (await press(customer, "➖ Pizza", "1 × Pizza")).text
    after_remove = await press(customer, "✖ Coke 500 ml", "Total: ₹250.00")
    assert "Coke" not in after_remove.text
    after_minus = await press(customer, "➖ Pizza", "cart is empty")
    assert after_minus.buttons == [texts.RESTAURANTS_BUTTON, texts.HOME_BUTTON]
    assert await cart_of(uows, customer.id) == {}

    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    await press(customer, texts.CART_BUTTON, "Your cart")
    await press(customer, texts.CLEAR_BUTTON, "cart is empty")
    assert await cart_of(uows, customer.id) == {}


async def test_a_dish_from_another_restaurant_asks_before_starting_a_new_cart(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await open_menu(customer, "Dominos")
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    await press(customer, texts.BACK_TO_RESTAURANTS, "Restaurants")
    await press(customer, "Spice Route", "Biryani")

    question = await press(customer, "➕ Chicken Biryani · ₹320.00", "Start a new cart")
    assert "dishes from Dominos" in question.text
    kept = await press(customer, texts.KEEP_CART_BUTTON, "Biryani")
    assert "In your cart: 1 item · ₹250.00" in kept.text
    assert await cart_of(uows, customer.id) == {"Pizza": 1}

    await press(customer, "➕ Chicken Biryani · ₹320.00", "Start a new cart")
    await press(customer, texts.NEW_CART_BUTTON, "In your cart: 1 item · ₹320.00")
    assert await cart_of(uows, customer.id) == {"Chicken Biryani": 1}


async def test_two_customers_filling_carts_at_once_keep_their_own_dishes(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser, uows: Uows
) -> None:
    async def shop(user: SandboxUser, restaurant: str, *dishes: str) -> None:
        await open_menu(user, restaurant)
        await add_dishes(user, *dishes)

    await asyncio.gather(
        shop(customer, "Dominos", "➕ Pizza · ₹250.00", "➕ Cheesy Dip · ₹35.00"),
        shop(customer_2, "Udupi Tiffins", "➕ Masala Dosa · ₹90.00", "➕ Masala Dosa · ₹90.00"),
    )

    assert await cart_of(uows, customer.id) == {"Pizza": 1, "Cheesy Dip": 1}
    assert await cart_of(uows, customer_2.id) == {"Masala Dosa": 2}
    cart_2 = await say(customer_2, "/cart", "Your cart")
    assert "2 × Masala Dosa — ₹180.00" in cart_2.text and "Pizza" not in cart_2.text


async def test_the_cart_survives_a_restart_of_the_bot(
    settings: Settings, customer: SandboxUser, uows: Uows
) -> None:
    await seed_database(settings)
    async with polling(settings):
        await open_menu(customer)
        await add_dishes(customer, "➕ Pepper Barbecue Chicken · ₹449.00")

    async with polling(settings):  # a new Application on the same database file
        cart = await say(customer, "/cart", "Your cart")

    assert "1 × Pepper Barbecue Chicken — ₹449.00" in cart.text


async def test_stale_and_forged_cart_presses_are_refused_and_change_nothing(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    cart = await press(customer, texts.CART_BUTTON, "Your cart")
    coke = await item(uows, "Coke 500 ml")
    here = cart.message_id

    for data, says in (
        (f"inc:{coke.id}:0", "no longer in your cart"),  # a dish the cart does not hold
        ("add:999999:0", "no longer on the menu"),  # a dish that does not exist
        ("add:abc:0", "no longer works"),  # malformed
        ("add:1", "no longer works"),  # an id short
        ("drop-tables", "no longer works"),  # not ours at all
    ):
        answer = await refused(customer, data=data, message_id=here)
        assert answer.text is not None and says in answer.text, (data, answer)

    assert await cart_of(uows, customer.id) == {"Pizza": 1}
    assert customer.message(here) == cart  # the screen was left as it was


async def test_an_old_menu_button_still_works_after_the_customer_records_are_gone(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    async with uows() as uow:  # as after a database reset: no customer, no cart
        await uow.session.execute(delete(CustomerRow))
        await uow.commit()

    answer = await customer.wait_for_answer(await customer.press("➕ Pizza · ₹250.00"))

    assert answer.text == "Added. Your cart: 1 item · ₹250.00" and not answer.show_alert
    assert await cart_of(uows, customer.id) == {"Pizza": 1}
