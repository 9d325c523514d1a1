"""A dish's options card: opened from ➕ on a dish that has options, one message edited in
place as options are picked, then ✅ Add puts the dish with its options in the cart.

The card keeps what is picked in its buttons (domain.options: a bitmask, and the fingerprint
of the options it was drawn for), so picking writes nothing until ✅ Add.
"""

from __future__ import annotations

from dataclasses import replace

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.cart import card_screen, menu_after_adding
from bot.handlers.common import Screen, customer, press
from domain.errors import OtherRestaurantInCart
from domain.ids import MenuItemId
from domain.options import from_mask


@press
async def open_card(update: Update, context: AppContext, item_id: int, page: int) -> Screen:
    """The dish's card with each required single choice's first option picked; in place of
    the menu, or below a photo (a photo's caption cannot become the card)."""
    screen = card_screen(await context.services.shopping.card(MenuItemId(item_id), page=page))
    query = update.callback_query
    pressed_on = query.message if query is not None else None
    photo = isinstance(pressed_on, Message) and bool(pressed_on.photo)
    return replace(screen, new_message=photo)


@press
async def choose_option(update: Update, context: AppContext, item_id: int, page: int,
                        drawn_for: int, mask: int, pressed: int) -> Screen:
    """Picks or unpicks one option and redraws the card with the new price."""
    shopping = context.services.shopping
    card = await shopping.choose(MenuItemId(item_id), drawn_for, mask, pressed, page=page)
    return card_screen(card)


@press
async def add_chosen(update: Update, context: AppContext, item_id: int, page: int,
                     drawn_for: int, mask: int) -> Screen:
    """✅ Add: the dish with the options picked goes into the cart; the menu page comes back.
    Another restaurant's cart asks first; a card drawn for options changed since starts again."""
    return await _add(context, update, MenuItemId(item_id), page, drawn_for, mask,
                      replace_other=False)


@press
async def add_chosen_to_new_cart(update: Update, context: AppContext, item_id: int, page: int,
                                 drawn_for: int, mask: int) -> Screen:
    """Empties the other restaurant's cart, then adds the dish with its options."""
    return await _add(context, update, MenuItemId(item_id), page, drawn_for, mask,
                      replace_other=True)


async def _add(context: AppContext, update: Update, item_id: MenuItemId, page: int,
               drawn_for: int, mask: int, *, replace_other: bool) -> Screen:
    shopping = context.services.shopping
    card = await shopping.card(item_id, page=page, drawn_for=drawn_for)
    if card.changed:
        return card_screen(card)
    card = replace(card, chosen=from_mask(card.item.groups, mask))
    try:
        view = await shopping.add(customer(update), item_id, page=page, options=card.chosen,
                                  replace_other=replace_other)
    except OtherRestaurantInCart as conflict:
        question = texts.new_cart_question(conflict.current_name, conflict.wanted_name)
        return Screen(question, keyboards.new_cart(item_id, page, conflict.wanted, chosen=card))
    return menu_after_adding(view)


def register(app: AppType) -> None:
    for action, handler in (
        (Action.OPTIONS, open_card), (Action.CHOOSE, choose_option),
        (Action.ADD_CHOSEN, add_chosen), (Action.ADD_CHOSEN_NEW_CART, add_chosen_to_new_cart),
    ):
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern(action)))
