"""💳 Pay now (issue 13): the summary's invoice, Telegram's question before it takes the money
(answered within its 10 seconds), and the payment that places the order or a refund.

The invoice goes out only with PAYMENT_PROVIDER_TOKEN set; a payment that arrives is always
handled (the token may have been removed since its invoice was sent).
"""

from __future__ import annotations

import logging

from telegram import LabeledPrice, Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, PreCheckoutQueryHandler, filters

from bot import texts, tracking
from bot.callbacks import Action, pattern
from bot.context import AppContext, AppType
from bot.handlers.checkout import summary_screen
from bot.handlers.common import Screen, press, replies, user_id
from domain.errors import NotAllowed
from domain.payments import Payment, Refund
from domain.views import Placed, Summary

logger = logging.getLogger(__name__)


@press
async def pay_now(update: Update, context: AppContext, token: int) -> Screen:
    """Sends the invoice for this summary; the summary stays, to become the tracking message."""
    secret = context.services.settings.payment_provider_token
    message = update.effective_message
    if secret is None or not isinstance(message, Message):
        raise NotAllowed("paying online is not offered")
    invoice = await context.services.payments.invoice(user_id(update), token, message.message_id)
    if isinstance(invoice, Summary):
        return summary_screen(context, invoice, changed=True)
    await context.bot.send_invoice(
        message.chat.id, texts.invoice_title(invoice), invoice.description, invoice.payload,
        invoice.currency,
        [LabeledPrice(texts.invoice_label(label), amount) for label, amount in invoice.prices],
        provider_token=secret.get_secret_value(), max_tip_amount=invoice.tips.most,
        suggested_tip_amounts=list(invoice.tips.suggested) or None)
    return Screen(toast=texts.INVOICE_SENT)


async def pre_checkout(update: Update, context: AppContext) -> None:
    """Telegram asks before it takes the money: yes only if the summary still stands."""
    query = update.pre_checkout_query
    if query is None:
        return
    check = await context.services.payments.pre_check(
        user_id(update), query.invoice_payload, query.currency, query.total_amount)
    problem = check.problem
    await query.answer(ok=problem is None,
                       error_message=None if problem is None else texts.not_payable(problem))
    if check.summary is not None:
        screen = summary_screen(context, check.summary)
        assert screen.text is not None
        await context.bot.send_message(query.from_user.id, screen.text,
                                       reply_markup=screen.keyboard)


@replies
async def payment_received(update: Update, context: AppContext) -> None:
    """The money is taken: the order is placed (its summary becomes the tracking message) or,
    when it can no longer be, a refund is due and the customer told at once."""
    message = update.effective_message
    assert message is not None and message.successful_payment is not None
    got = message.successful_payment
    paid = await context.services.payments.paid(Payment(
        user_id(update), got.invoice_payload, got.currency, got.total_amount,
        got.telegram_payment_charge_id, got.provider_payment_charge_id), message.chat.id)
    if not paid.first:
        logger.info("payment %s reported again: handled before", got.telegram_payment_charge_id)
        return
    if isinstance(paid.outcome, Refund):
        await message.reply_text(texts.payment_refunded(paid.outcome))
        return
    await _show_placed(message, context, paid.outcome)


async def _show_placed(message: Message, context: AppContext, placed: Placed) -> None:
    """The summary the customer paid becomes the order's tracking message; when it can no
    longer be edited (the customer deleted it), the order is sent anew as that message."""
    view, bot = placed.view, context.bot
    if view.tracking is None or await tracking.show(bot, view):
        await message.reply_text(texts.PAYMENT_PLACED.format(order_id=view.order.id))
        return
    await tracking.send_anew(bot, context.services.orders, view.order.id, message.chat.id,
                             texts.PAYMENT_SHOWN.format(order_id=view.order.id))


def register(app: AppType) -> None:
    app.add_handler(CallbackQueryHandler(pay_now, pattern=pattern(Action.PAY)))
    app.add_handler(PreCheckoutQueryHandler(pre_checkout))
    app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, payment_received))
