"""Browsing: restaurants page by page, menus by category, closed places, dish photos."""

from __future__ import annotations

from bot import texts
from bot.context import AppType
from domain.ids import MenuItemId, RestaurantId
from domain.restaurants import MenuItem, Restaurant
from sandbox import BotApiServer, SandboxUser
from tests.e2e.journey import (
    Uows,
    cart_of,
    change_dish,
    item,
    open_menu,
    press,
    refused,
    restaurant,
    say,
)


async def test_restaurants_come_open_first_and_closed_ones_say_so(
    bot: AppType, customer: SandboxUser
) -> None:
    screen = await say(customer, "/restaurants", "Restaurants")

    assert screen.buttons == ["Dominos", "Spice Route", "Udupi Tiffins", "Green Bowl · closed",
                              texts.HOME_BUTTON]
    assert "Green Bowl</b>" not in screen.text and "Green Bowl — " in screen.text
    assert "closed now" in screen.text.split("Green Bowl")[1]


async def test_a_long_restaurant_list_comes_in_pages_within_telegram_limits(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    async with uows() as uow:
        for n in range(10):
            await uow.restaurants.add(Restaurant(RestaurantId(0), f"Kitchen {n:02}", "Somewhere"))
        await uow.commit()

    first = await say(customer, "/restaurants", "page 1 of 2")
    second = await press(customer, texts.NEXT_BUTTON, "page 2 of 2")

    assert first.message_id == second.message_id  # the same screen, turned over
    assert len(first.buttons) == 8 + 2 and texts.PREVIOUS_BUTTON not in first.buttons
    assert second.buttons[-2:] == [texts.PREVIOUS_BUTTON, texts.HOME_BUTTON]
    assert "Green Bowl · closed" in second.buttons  # closed ones last, on the last page
    back = await press(customer, texts.PREVIOUS_BUTTON, "page 1 of 2")
    assert back.buttons == first.buttons


async def test_a_long_menu_comes_in_pages_and_adding_keeps_the_page(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    udupi = await restaurant(uows, "Udupi Tiffins")
    async with uows() as uow:
        for n in range(6):
            await uow.menu.add(MenuItem(MenuItemId(0), udupi.id, f"Special {n}", 150_00,
                                        description="x" * 300, category="Specials"))
        await uow.commit()

    first = await open_menu(customer, "Udupi Tiffins")
    second = await press(customer, texts.NEXT_BUTTON, "page 2 of 2")
    after_adding = await press(customer, "➕ Special 5 · ₹150.00", "In your cart")

    assert "page 1 of 2" in first.text and "Masala Dosa" in first.text
    assert "Special 5" in second.text and "Masala Dosa" not in second.text
    assert "page 2 of 2" in after_adding.text and "Special 5 — ₹150.00 · 🛒 1" in after_adding.text
    assert "x" * 99 + "…" in second.text  # descriptions are short on a menu page


async def test_a_menu_shows_categories_prices_and_descriptions(
    bot: AppType, customer: SandboxUser
) -> None:
    menu = await open_menu(customer, "Dominos")

    text = menu.text
    assert text.index("Pizzas") < text.index("Sides") < text.index("Desserts")
    assert "Pizza — ₹250.00" in text and "Cheese, tomato" in text
    assert "➕ Pizza · ₹250.00" in menu.buttons
    assert menu.buttons[-2:] == [texts.BACK_TO_RESTAURANTS, texts.CART_BUTTON]


async def test_unavailable_dishes_are_marked_and_cannot_be_added(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    menu = await open_menu(customer, "Spice Route")
    tikka = await item(uows, "Paneer Tikka")

    assert "Paneer Tikka — ₹230.00 · not available now" in menu.text
    assert not [b for b in menu.buttons if "Paneer Tikka" in b]
    answer = await refused(customer, data=f"add:{tikka.id}:0", message_id=menu.message_id)
    assert answer.text == "Sorry, Paneer Tikka is not available now."
    assert await cart_of(uows, customer.id) == {}


async def test_a_closed_restaurant_shows_its_menu_but_takes_no_dishes(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    menu = await open_menu(customer, "Green Bowl · closed")
    salad = await item(uows, "Greek Salad")

    assert "Closed now" in menu.text and "Greek Salad — ₹280.00" in menu.text
    assert not [b for b in menu.buttons if b.startswith("➕")]
    answer = await refused(customer, data=f"add:{salad.id}:0", message_id=menu.message_id)
    assert answer.text == "Sorry, Green Bowl is closed right now."
    assert await cart_of(uows, customer.id) == {}


async def test_a_dish_with_a_photo_shows_it_and_can_be_added_from_it(
    bot: AppType, customer: SandboxUser, server: BotApiServer, uows: Uows
) -> None:
    photo = server.state.files.add("photo", b"\x89PNG fake pizza", "pizza.png", "image/png")
    await change_dish(uows, "Pizza", photo_file_id=photo.file_id)
    menu = await open_menu(customer, "Dominos")
    assert "Pizza — ₹250.00 📷" in menu.text

    await customer.press("📷 Pizza")
    card = await customer.wait_for_new(lambda m: m.photo_file_id is not None)
    assert card.photo_file_id == photo.file_id
    assert card.caption is not None and card.caption.startswith("Pizza — ₹250.00")
    assert "Cheese, tomato" in card.caption

    answer = await customer.wait_for_answer(await customer.press(texts.ADD_FROM_PHOTO_BUTTON))
    assert answer.text == "Added. Your cart: 1 item · ₹250.00"
    assert await cart_of(uows, customer.id) == {"Pizza": 1}
