"""Checkout: address (typed or shared location), optional note and promo code, summary, place
order.

The step and the draft live in the database (`checkouts`), so plain text and locations are
routed by the stored step, not by process memory.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import keyboards, texts
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.basics import not_understood
from bot.handlers.common import Screen, customer, press, replies, reply, user_id
from domain.checkout import Checkout
from domain.views import Placed, Summary, TrackingMessage


def summary_screen(context: AppContext, summary: Summary, *, changed: bool = False) -> Screen:
    """The summary with its buttons (💳 Pay now when payments are on); `changed` alerts."""
    pay_now = context.services.settings.payment_provider_token is not None
    return Screen(texts.summary(summary, pay_now=pay_now),
                  keyboards.summary(summary, pay_now=pay_now),
                  texts.CHANGED if changed else None, alert=changed)


@press
async def start_checkout(update: Update, context: AppContext) -> Screen:
    """Asks for the address, with a reply keyboard to share the location instead."""
    await context.services.checkout.start(user_id(update))
    return Screen(texts.ADDRESS_PROMPT, keyboards.address_request(), new_message=True)


async def show_summary(update: Update, context: AppContext, summary: Summary | None) -> None:
    """Confirms a new address (taking the reply keyboard away), then shows the summary."""
    if summary is None:
        await not_understood(update, context)
        return
    if summary.new_address:
        await reply(update, Screen(texts.address_saved(summary), keyboards.NO_REPLY_KEYBOARD))
    await reply(update, summary_screen(context, summary))


@replies
async def take_text(update: Update, context: AppContext) -> None:
    """The address, or the note once the address is known; outside checkout, the main menu."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    summary = await context.services.checkout.receive_text(user_id(update), text)
    await show_summary(update, context, summary)


@replies
async def take_location(update: Update, context: AppContext) -> None:
    """A shared location becomes the delivery address."""
    assert update.effective_message is not None and update.effective_message.location
    spot = update.effective_message.location
    summary = await context.services.checkout.receive_location(
        user_id(update), spot.latitude, spot.longitude
    )
    await show_summary(update, context, summary)


@replies
async def take_contact(update: Update, context: AppContext) -> None:
    """The customer's own phone number, for the rider; refused for someone else's card."""
    assert update.effective_message is not None and update.effective_message.contact
    card = update.effective_message.contact
    result = await context.services.checkout.receive_contact(
        customer(update), card.phone_number, card.user_id
    )
    if isinstance(result, Checkout):
        await reply(update, Screen(texts.phone_saved(result.phone or "")))
    else:
        await show_summary(update, context, result)


async def cancel_checkout(update: Update, context: AppContext) -> None:
    """Ends checkout and takes the reply keyboard away; the cart stays."""
    await context.services.checkout.cancel(user_id(update))
    await reply(update, Screen(texts.CHECKOUT_CANCELLED, keyboards.NO_REPLY_KEYBOARD))


@press
async def place_order(update: Update, context: AppContext, token: int) -> Screen:
    """Places the order the summary shows; the summary becomes its live tracking message."""
    message = update.effective_message
    assert isinstance(message, Message)
    here = TrackingMessage(message.chat.id, message.message_id)
    result = await context.services.checkout.place(user_id(update), token, here)
    if isinstance(result, Placed):
        view = result.view
        toast = texts.PLACED if result.created else texts.ALREADY_PLACED
        return Screen(texts.tracking(view), keyboards.order(view, shown_in=here.message_id),
                      toast.format(order_id=view.order.id))
    return summary_screen(context, result, changed=True)


@press
async def ask_promo(update: Update, context: AppContext) -> Screen:
    """🏷 Promo code: the next text the customer types is the code."""
    await context.services.checkout.ask_promo(user_id(update))
    return Screen(texts.PROMO_PROMPT, new_message=True)


@press
async def remove_promo(update: Update, context: AppContext) -> Screen:
    """The summary again, without the code."""
    summary = await context.services.checkout.remove_promo(user_id(update))
    return summary_screen(context, summary)


def register(app: AppType) -> None:
    app.add_handler(CallbackQueryHandler(start_checkout, pattern=pattern(Action.CHECKOUT)))
    app.add_handler(CallbackQueryHandler(start_checkout, pattern=pattern(Action.CHANGE_ADDRESS)))
    app.add_handler(CallbackQueryHandler(place_order, pattern=pattern(Action.PLACE)))
    app.add_handler(CallbackQueryHandler(ask_promo, pattern=pattern(Action.PROMO)))
    app.add_handler(CallbackQueryHandler(remove_promo, pattern=pattern(Action.PROMO_REMOVE)))
    cancel = filters.Text(texts.in_every_language("CANCEL_CHECKOUT_BUTTON"))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & cancel, cancel_checkout))
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(text, take_text))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.LOCATION, take_location))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.CONTACT, take_contact))
