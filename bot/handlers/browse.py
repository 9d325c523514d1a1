"""Restaurants, their menus page by page, and dish photos."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.common import Screen, press, reply, user_id
from domain.ids import MenuItemId, RestaurantId


async def restaurants_screen(context: AppContext, page: int = 0) -> Screen:
    found = await context.services.shopping.restaurants(page)
    return Screen(texts.restaurants(found), keyboards.restaurants(found))


async def list_restaurants(update: Update, context: AppContext) -> None:
    """/restaurants: open restaurants first, closed ones marked."""
    await reply(update, await restaurants_screen(context))


@press
async def open_restaurants(update: Update, context: AppContext, page: int) -> Screen:
    """One page of the restaurant list in place of the pressed screen."""
    return await restaurants_screen(context, page)


async def menu_screen(
    update: Update, context: AppContext, restaurant_id: int, page: int
) -> Screen:
    """A restaurant's menu page: dishes by category, ➕ buttons for what can be ordered."""
    shopping = context.services.shopping
    view = await shopping.menu(user_id(update), RestaurantId(restaurant_id), page)
    return Screen(texts.menu(view), keyboards.menu(view))


open_menu = press(menu_screen)


@press
async def show_photo(update: Update, context: AppContext, item_id: int) -> Screen:
    """Sends the dish's photo with its name, price and description, and an add button."""
    item = await context.services.shopping.dish(MenuItemId(item_id))
    caption = texts.dish_caption(item, context.services.shopping.currency)
    return Screen(caption, keyboards.dish_photo(item), new_message=True,
                  photo=item.photo_file_id) if item.photo_file_id else Screen()


def register(app: AppType) -> None:
    app.add_handler(CommandHandler("restaurants", list_restaurants))
    app.add_handler(CallbackQueryHandler(open_restaurants, pattern=pattern(Action.RESTAURANTS)))
    app.add_handler(CallbackQueryHandler(open_menu, pattern=pattern(Action.MENU)))
    app.add_handler(CallbackQueryHandler(show_photo, pattern=pattern(Action.PHOTO)))
