"""/start, /help, the commands, and what the bot does with what it does not expect."""

import asyncio

from bot import texts
from bot.context import AppType
from bot.i18n import _, speaking
from sandbox import BotApiServer, SandboxUser
from tests.e2e.journey import press, say


async def test_start_greets_each_user_by_name_with_the_main_menu(
    bot: AppType, customer: SandboxUser, partner: SandboxUser, admin: SandboxUser
) -> None:
    await asyncio.gather(*(user.send("/start") for user in (customer, partner, admin)))
    for user, name in ((customer, "Asha"), (partner, "Ravi"), (admin, "Meera")):
        greeting = await user.wait_for_new(lambda m: "Foodbot" in m.content)
        assert f"Hi {name}" in greeting.text
        assert greeting.buttons == [texts.RESTAURANTS_BUTTON, texts.CART_BUTTON,
                                    texts.ORDERS_BUTTON, texts.HELP_BUTTON]
        assert [m.text for m in user.bot_messages] == [greeting.text]  # no one else's reply


async def test_help_lists_the_commands(bot: AppType, customer: SandboxUser) -> None:
    reply = await say(customer, "/help", "/start")
    for command in ("/restaurants", "/cart", "/orders", "/mytimezone", "/language", "/mydata",
                    "/forgetme", "/help"):
        assert command in reply.text


async def test_the_bot_registers_its_commands_with_telegram(
    bot: AppType, server: BotApiServer
) -> None:
    names = ["start", "restaurants", "cart", "orders", "partner", "online", "offline", "job",
             "mytimezone", "language", "mydata", "forgetme", "help"]
    menus = server.commands
    assert [c["command"] for c in menus["default"]] == names
    assert menus["default/en"] == menus["default"]
    for code in ("hi", "ru"):  # each in its language, for users whose app is set to it
        assert [c["command"] for c in menus[f"default/{code}"]] == names
        with speaking(code):
            assert menus[f"default/{code}"][0]["description"] == _("Main menu")
        assert menus[f"default/{code}"][0]["description"] != "Main menu"


async def compare_commands_with_buttons(
    user: SandboxUser, pairs: list[tuple[str, str, str]]
) -> None:
    menu = await say(user, "/start", "Foodbot")
    for command, button, expect in pairs:
        by_command = await say(user, command, expect)
        by_button = await press(user, button, expect, message_id=menu.message_id)
        assert (by_button.text, by_button.buttons) == (by_command.text, by_command.buttons)
        await press(user, texts.HOME_BUTTON, texts.MAIN_MENU, message_id=menu.message_id)


async def test_a_command_and_its_button_show_the_same_screen(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser
) -> None:
    await asyncio.gather(
        compare_commands_with_buttons(customer, [
            ("/restaurants", texts.RESTAURANTS_BUTTON, "Restaurants"),
            ("/cart", texts.CART_BUTTON, "cart is empty"),
        ]),
        compare_commands_with_buttons(customer_2, [
            ("/orders", texts.ORDERS_BUTTON, "no orders"),
            ("/help", texts.HELP_BUTTON, "/restaurants"),
        ]),
    )


async def test_unknown_text_and_commands_get_the_main_menu(
    bot: AppType, customer: SandboxUser
) -> None:
    for text in ("hello?", "/pizza"):
        reply = await say(customer, text, "didn't get that")
        assert reply.has_button(texts.RESTAURANTS_BUTTON)
