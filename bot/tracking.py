"""The customer's live tracking message: one per order, edited as the order moves.

The outbox sender calls `refresh_tracking` for each move the pipeline commits (and the
customer's own cancel does too). It re-renders the order from the database, so calling it
twice, late or out of order is harmless: the message always shows the order as it is now.

At a milestone that needs the customer's attention (on its way, delivered) the sender calls
`send_anew` instead: the same message, under a headline, sent as a new one (an edit never
pings), which is the order's live tracking message from then on. The one before it stays in
the chat as it was; its buttons act on the order as it is now. A redraw of the live message
keeps its milestone's headline (`live_text`): a rider's new ETA or the customer's stars
change the order shown, not what the message said first.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot

from bot import keyboards, notices, texts
from domain.ids import OrderId
from domain.messages import Delivered, Milestone, OutForDelivery
from domain.orders import OrderStatus
from domain.services.orders import CustomerOrders
from domain.views import OrderView, TrackingMessage

logger = logging.getLogger(__name__)


def live_text(view: OrderView) -> str:
    """The order's live tracking message: the order, under the headline of the milestone its
    status was sent anew at, if any."""
    milestone: Milestone
    match view.order.status:
        case OrderStatus.OUT_FOR_DELIVERY:
            milestone = OutForDelivery(view.order.id)
        case OrderStatus.DELIVERED:
            milestone = Delivered(view.order.id)
        case _:
            return texts.tracking(view)
    return _under(notices.headline(milestone), view)


def _under(headline: str, view: OrderView) -> str:
    """The order under `headline`: the message sent anew, and its redraws (which Telegram
    finds unchanged, where nothing but the headline's milestone has happened since)."""
    return f"{headline}\n\n{texts.tracking(view)}"


async def refresh_tracking(
    bot: ExtBot[Any], orders: CustomerOrders, order_id: OrderId,
    *, rate_limit_args: int | None = None,
) -> bool:
    """Edits the order's tracking message to its current state.

    True when the message shows the current state (also when it already did); False when
    the order has no tracking message or Telegram refused the edit (logged).
    """
    view = await orders.tracking(order_id)
    if view is None:
        return False
    return await show(bot, view, rate_limit_args=rate_limit_args)


async def show(bot: ExtBot[Any], view: OrderView, *, rate_limit_args: int | None = None
               ) -> bool:
    """Edits the order's tracking message to show `view`; True when it does (also when it
    already did), False when the order has none or Telegram refused the edit (logged): the
    customer deleted the message, or blocked the bot."""
    where, order_id = view.tracking, view.order.id
    if where is None or not where.message_id:
        return False
    try:
        await bot.edit_message_text(
            live_text(view), chat_id=where.chat_id, message_id=where.message_id,
            reply_markup=keyboards.order(view, shown_in=where.message_id),
            rate_limit_args=rate_limit_args,
        )
    except BadRequest as error:
        if "not modified" in error.message:
            return True
        logger.warning("tracking message of order %s not edited: %s", order_id, error.message)
        return False
    except Forbidden as error:  # the customer blocked the bot
        logger.info("tracking message of order %s not edited: %s", order_id, error.message)
        return False
    return True


async def send_anew(
    bot: ExtBot[Any], orders: CustomerOrders, order_id: OrderId, chat_id: int, headline: str,
    *, paid: bool | None = None, rate_limit_args: int | None = None,
) -> int | None:
    """Sends the order as it is now under `headline` to `chat_id`, as a new message, and
    makes it the order's tracking message; its Telegram id, or None when the order is gone.
    Telegram's errors reach the caller (the outbox sender retries or gives up)."""
    view = await orders.card(order_id)
    if view is None:
        return None
    sent = await bot.send_message(
        chat_id, _under(headline, view),
        reply_markup=keyboards.order(view, live=True), allow_paid_broadcast=paid,
        rate_limit_args=rate_limit_args)
    await orders.track_in(order_id, TrackingMessage(chat_id, sent.message_id))
    return sent.message_id
