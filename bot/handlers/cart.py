"""The cart: add from a menu or a dish photo, +/−, remove, clear, and a new cart on request."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.common import Screen, customer, press, reply, user_id
from domain.card import DishCard
from domain.errors import OtherRestaurantInCart
from domain.ids import MenuItemId
from domain.options import ChoiceRefused
from domain.views import CartView, MenuPage


def cart_screen(view: CartView, *, skipped: tuple[str, ...] = ()) -> Screen:
    return Screen(texts.cart(view, skipped=skipped), keyboards.cart(view))


async def show_cart(update: Update, context: AppContext) -> None:
    """/cart: the dishes, their total and the checkout button."""
    await reply(update, cart_screen(await context.services.shopping.cart(user_id(update))))


@press
async def open_cart(update: Update, context: AppContext) -> Screen:
    """The cart in place of the pressed screen."""
    return cart_screen(await context.services.shopping.cart(user_id(update)))


def card_screen(card: DishCard) -> Screen:
    """A dish's options card: what is picked so far, each option a button, ✅ Add."""
    return Screen(texts.dish_card(card), keyboards.options_card(card))


def menu_after_adding(view: MenuPage) -> Screen:
    return Screen(texts.menu(view), keyboards.menu(view), toast=texts.added(view.cart))


@press
async def add_item(update: Update, context: AppContext, item_id: int, page: int) -> Screen:
    """Adds one of the dish and redraws the menu page; another restaurant's cart asks first.
    A dish that has been given options since the menu was drawn opens its card instead."""
    try:
        view = await context.services.shopping.add(customer(update), MenuItemId(item_id), page=page)
    except OtherRestaurantInCart as conflict:
        question = texts.new_cart_question(conflict.current_name, conflict.wanted_name)
        return Screen(question, keyboards.new_cart(item_id, page, conflict.wanted))
    except ChoiceRefused:
        return card_screen(await context.services.shopping.card(MenuItemId(item_id), page=page))
    return menu_after_adding(view)


@press
async def add_to_new_cart(update: Update, context: AppContext, item_id: int, page: int) -> Screen:
    """Empties the other restaurant's cart, adds the dish, and shows its menu page."""
    shopping = context.services.shopping
    who, item = customer(update), MenuItemId(item_id)
    return menu_after_adding(await shopping.add(who, item, page=page, replace_other=True))


@press
async def add_from_photo(update: Update, context: AppContext, item_id: int) -> Screen:
    """Adds one of the dish from its photo card; the note says what the cart holds now. A
    dish given options since opens its card below."""
    shopping = context.services.shopping
    try:
        view = await shopping.add(customer(update), MenuItemId(item_id))
    except ChoiceRefused:
        return replace(card_screen(await shopping.card(MenuItemId(item_id))), new_message=True)
    return Screen(toast=texts.added(view.cart))


@press
async def one_more(update: Update, context: AppContext, item_id: int, ref: int) -> Screen:
    """+1 of a line in the cart (a dish with its options)."""
    shopping = context.services.shopping
    return cart_screen(await shopping.change(user_id(update), MenuItemId(item_id), ref, +1))


@press
async def one_fewer(update: Update, context: AppContext, item_id: int, ref: int) -> Screen:
    """−1 of a line in the cart; the last one leaves the cart."""
    shopping = context.services.shopping
    return cart_screen(await shopping.change(user_id(update), MenuItemId(item_id), ref, -1))


@press
async def remove_item(update: Update, context: AppContext, item_id: int, ref: int) -> Screen:
    """Takes the line out of the cart."""
    shopping = context.services.shopping
    return cart_screen(await shopping.remove(user_id(update), MenuItemId(item_id), ref))


@press
async def clear_cart(update: Update, context: AppContext) -> Screen:
    """Empties the cart."""
    return cart_screen(await context.services.shopping.clear(user_id(update)))


def register(app: AppType) -> None:
    app.add_handler(CommandHandler("cart", show_cart))
    for action, handler in (
        (Action.CART, open_cart), (Action.ADD, add_item), (Action.ADD_NEW_CART, add_to_new_cart),
        (Action.ADD_FROM_PHOTO, add_from_photo), (Action.MORE, one_more),
        (Action.LESS, one_fewer), (Action.REMOVE, remove_item), (Action.CLEAR, clear_cart),
    ):
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern(action)))
