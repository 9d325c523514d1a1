"""The customer's orders: the list, one order with its history, cancel, reorder, rate."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.cart import cart_screen
from bot.handlers.common import Screen, customer, press, reply, user_id
from bot.tracking import live_text, refresh_tracking
from domain.errors import OtherRestaurantInCart
from domain.ids import OrderId
from domain.views import OrderKey, OrderView


async def orders_screen(update: Update, context: AppContext, *, before: OrderKey | None = None,
                        after: OrderKey | None = None) -> Screen:
    page = await context.services.orders.recent(user_id(update), before=before, after=after)
    return Screen(texts.orders(page.items), keyboards.orders(page))


async def list_orders(update: Update, context: AppContext) -> None:
    """/orders: recent orders with their status, a button to open each."""
    await reply(update, await orders_screen(update, context))


open_orders = press(orders_screen)


@press
async def older_orders(update: Update, context: AppContext, micros: int, order_id: int
                       ) -> Screen:
    """The page of orders below the one named (▶)."""
    return await orders_screen(update, context, before=(micros, order_id))


@press
async def newer_orders(update: Update, context: AppContext, micros: int, order_id: int
                       ) -> Screen:
    """The page of orders above the one named (◀)."""
    return await orders_screen(update, context, after=(micros, order_id))


def order_screen(update: Update, view: OrderView, toast: str | None = None) -> Screen:
    """The order, in the message pressed; the live tracking message keeps its headline."""
    here = update.effective_message.message_id if update.effective_message else None
    live = view.tracking is not None and view.tracking.message_id == here
    text = live_text(view) if live else texts.tracking(view)
    return Screen(text, keyboards.order(view, shown_in=here), toast)


@press
async def open_order(update: Update, context: AppContext, order_id: int) -> Screen:
    """One order: status, partner, items, address and its history."""
    view = await context.services.orders.view(user_id(update), OrderId(order_id))
    return order_screen(update, view)


@press
async def ask_to_cancel(update: Update, context: AppContext, order_id: int) -> Screen:
    """Asks "Cancel order #N?" while the order can still be cancelled."""
    view = await context.services.orders.cancellable(user_id(update), OrderId(order_id))
    return Screen(texts.cancel_question(view), keyboards.cancel_question(view.order.id))


@press
async def cancel_order(update: Update, context: AppContext, order_id: int) -> Screen:
    """Cancels the order and redraws it, and its live tracking message too."""
    view = await context.services.orders.cancel(user_id(update), OrderId(order_id))
    here = update.effective_message
    if view.tracking and isinstance(here, Message) and here.id != view.tracking.message_id:
        await refresh_tracking(context.bot, context.services.orders, view.order.id)
    return order_screen(update, view, texts.CANCELLED.format(order_id=view.order.id))


async def reorder_screen(
    update: Update, context: AppContext, order_id: int, *, replace_other: bool = False
) -> Screen:
    """The cart with the old order's dishes at today's prices; another cart asks first."""
    orders, who = context.services.orders, customer(update)
    try:
        done = await orders.reorder(who, OrderId(order_id), replace_other=replace_other)
    except OtherRestaurantInCart as conflict:
        question = texts.new_cart_question(conflict.current_name, conflict.wanted_name)
        return Screen(question, keyboards.reorder_new_cart(order_id))
    return cart_screen(done.cart, skipped=done.skipped)


reorder = press(reorder_screen)


@press
async def reorder_in_new_cart(update: Update, context: AppContext, order_id: int) -> Screen:
    """Empties the other restaurant's cart, then reorders."""
    return await reorder_screen(update, context, order_id, replace_other=True)


@press
async def rate_order(update: Update, context: AppContext, order_id: int, stars: int) -> Screen:
    """Records a 1-5 star rating of a delivered order."""
    view = await context.services.orders.rate(user_id(update), OrderId(order_id), stars)
    return order_screen(update, view, texts.RATED.format(stars=stars))


def register(app: AppType) -> None:
    app.add_handler(CommandHandler("orders", list_orders))
    for action, handler in (
        (Action.ORDERS, open_orders), (Action.ORDERS_OLDER, older_orders),
        (Action.ORDERS_NEWER, newer_orders), (Action.ORDER, open_order),
        (Action.CANCEL, ask_to_cancel),
        (Action.CANCEL_CONFIRMED, cancel_order), (Action.REORDER, reorder),
        (Action.REORDER_NEW_CART, reorder_in_new_cart), (Action.RATE, rate_order),
    ):
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern(action)))
