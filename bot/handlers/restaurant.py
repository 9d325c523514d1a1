"""The restaurant manager's ticket: Accept or Reject a new order, then Ready for pickup.

The pipeline checks that the pressing chat is the one an admin linked to the restaurant
(/linkmanager), so forwarded or forged buttons change nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.common import Screen, press, user_id
from domain.ids import MenuItemId, OrderId


def _chat(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


@press
async def accept_ticket(update: Update, context: AppContext, order_id: int) -> Screen:
    """The kitchen takes the order: it moves to Preparing and a partner is sought."""
    await context.services.pipeline.restaurant_accept(OrderId(order_id), _chat(update))
    return Screen(texts.ticket_accepted(order_id), keyboards.ticket_ready(order_id))


@press
async def reject_ticket(update: Update, context: AppContext, order_id: int) -> Screen:
    """The kitchen cannot take it: the order is cancelled and the customer told."""
    await context.services.pipeline.restaurant_reject(OrderId(order_id), _chat(update))
    return Screen(texts.ticket_rejected(order_id))


@press
async def ready_ticket(update: Update, context: AppContext, order_id: int) -> Screen:
    """The food can be picked up from now on."""
    await context.services.pipeline.restaurant_ready(OrderId(order_id), _chat(update))
    return Screen(texts.ticket_ready(order_id))


@press
async def sold_out(update: Update, context: AppContext, item_id: int) -> Screen:
    """A dish on the ticket has run out: no more orders of it (only from its own kitchen)."""
    dish = await context.services.admin.stock.set_stock(
        user_id(update), MenuItemId(item_id), 0, kitchen=_chat(update), for_today=True)
    return Screen(toast=texts.sold_out_now(dish), alert=True)


def register(app: AppType) -> None:
    for action, handler in ((Action.TICKET_ACCEPT, accept_ticket),
                            (Action.TICKET_REJECT, reject_ticket),
                            (Action.TICKET_READY, ready_ticket),
                            (Action.TICKET_SOLD_OUT, sold_out)):
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern(action)))
