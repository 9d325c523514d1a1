"""The payer's side of Telegram's payment flow for physical goods (``SandboxUser.pay``).

The user confirms the payment form of an invoice message: the bot gets a
``pre_checkout_query`` update (queued like any update: getUpdates or the webhook, in the
user's lane) and must answer it with answerPreCheckoutQuery before the deadline. ok=True:
the bot gets a ``message`` update from the user carrying ``successful_payment`` (twice with
``duplicate``: two messages, same charge ids). ok=False: the user is shown the bot's
error_message and nothing is charged. No answer in time: the payment fails.

Shipping queries (``is_flexible`` invoices) are not emulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sandbox.apiobjects import message_dict, pre_checkout_query_dict
from sandbox.errors import SandboxError
from sandbox.invoices import Invoice, OrderInfo, ShippingAddress, SuccessfulPayment
from sandbox.models import ChatMessage
from sandbox.precheckout import PreCheckout
from sandbox.state import SandboxState, UserProfile

PaymentStatus = Literal["paid", "declined", "timeout"]
SANDBOX_ADDRESS = ShippingAddress("IN", "Karnataka", "Bengaluru", "1 MG Road", "", "560001")


@dataclass(frozen=True)
class Payment:
    """What came of ``SandboxUser.pay``, known once the bot answered or the deadline passed.

    status: "paid" (ok=True; ``messages`` holds the successful_payment message, two with
    ``duplicate``), "declined" (ok=False; ``error_message`` is what the user was shown) or
    "timeout" (no answer in time). ``total_amount`` includes the tip.
    """

    status: PaymentStatus
    query_id: str
    invoice_message_id: int
    currency: str
    total_amount: int
    tip: int
    error_message: str | None = None
    telegram_payment_charge_id: str | None = None
    provider_payment_charge_id: str | None = None
    messages: tuple[ChatMessage, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "paid"

    @property
    def message(self) -> ChatMessage | None:
        """The (first) successful_payment message, None unless paid."""
        return self.messages[0] if self.messages else None


def order_info_for(profile: UserProfile, invoice: Invoice) -> OrderInfo | None:
    """What the payment form fills in for the invoice's need_* flags, from the profile
    (fixed sandbox values where a profile has nothing); None if it asks for nothing."""
    if not invoice.needs_order_info:
        return None
    return OrderInfo(
        name=profile.display_name if invoice.need_name else None,
        phone_number=(profile.phone_number or "+15555550100") if invoice.need_phone_number
        else None,
        email=f"{profile.username or 'user'}{profile.id}@example.com" if invoice.need_email
        else None,
        shipping_address=SANDBOX_ADDRESS if invoice.need_shipping_address else None)


def invoice_message(state: SandboxState, profile: UserProfile,
                    invoice: ChatMessage | int) -> tuple[ChatMessage, Invoice]:
    """The invoice message as it is now in the user's chat and its terms, or SandboxError."""
    message_id = invoice.message_id if isinstance(invoice, ChatMessage) else invoice
    chat = state.chats.get(profile.id)
    message = chat.messages.get(message_id) if chat else None
    if message is None or message.invoice is None:
        raise SandboxError(f"{profile.first_name} has no invoice message #{message_id}")
    return message, message.invoice


def check_tip(invoice: Invoice, tip: int) -> None:
    """A tip the payment form would not let the user enter is a mistake of the test."""
    if isinstance(tip, bool) or not isinstance(tip, int):
        raise ValueError(f"tip must be an int in the currency's smallest units, not {tip!r}")
    if not 0 <= tip <= invoice.max_tip_amount:
        raise ValueError(f"tip {tip} is outside 0..{invoice.max_tip_amount} (max_tip_amount "
                         f"of invoice {invoice.title!r})")


async def pay_invoice(state: SandboxState, profile: UserProfile, invoice: ChatMessage | int, *,
                      tip: int = 0, duplicate: bool = False,
                      order_info: OrderInfo | None = None) -> Payment:
    """Run one payment of an invoice message to its outcome (see the module docstring)."""
    message, terms = invoice_message(state, profile, invoice)
    check_tip(terms, tip)
    if terms.is_flexible:
        raise SandboxError("is_flexible invoices need shipping queries, which the sandbox "
                           "does not emulate")
    if profile.blocked:
        raise SandboxError(f"{profile.first_name} has blocked the bot; call unblock() first")
    info = order_info if order_info is not None else order_info_for(profile, terms)
    query = state.payments.open(profile.id, message.message_id, terms, tip, info)
    state.updates.push("pre_checkout_query", pre_checkout_query_dict(state, query))
    state.record("pay", profile.id, terms.title, message_id=message.message_id,
                 currency=terms.currency, price=terms.total_amount, tip=tip,
                 total_amount=query.total_amount, query_id=query.id)
    answer = await state.payments.outcome(query)
    if answer is None:
        state.record("payment_timeout", profile.id, message_id=message.message_id,
                     query_id=query.id, timeout=state.payments.timeout)
        return _result("timeout", query)
    if not answer.ok:
        state.record("payment_declined", profile.id, answer.error_message or "",
                     message_id=message.message_id, query_id=query.id)
        return _result("declined", query, error_message=answer.error_message)
    paid = _successful_payment(state, query)
    sent = tuple(_deliver_payment(state, profile, paid, repeat)
                 for repeat in range(2 if duplicate else 1))
    return _result("paid", query, telegram_payment_charge_id=paid.telegram_payment_charge_id,
                   provider_payment_charge_id=paid.provider_payment_charge_id, messages=sent)


def _result(status: PaymentStatus, query: PreCheckout, **outcome: Any) -> Payment:
    return Payment(status, query.id, query.message_id, query.invoice.currency,
                   query.total_amount, query.tip, **outcome)


def _successful_payment(state: SandboxState, query: PreCheckout) -> SuccessfulPayment:
    telegram_id, provider_id = state.payments.charge_ids()
    return SuccessfulPayment(currency=query.invoice.currency, total_amount=query.total_amount,
                             invoice_payload=query.invoice.payload,
                             telegram_payment_charge_id=telegram_id,
                             provider_payment_charge_id=provider_id, order_info=query.order_info)


def _deliver_payment(state: SandboxState, profile: UserProfile, paid: SuccessfulPayment,
                     repeat: int) -> ChatMessage:
    """The user's service message with successful_payment, sent to the bot as a message."""
    message = state.add_message(state.open_chat(profile.id), False, successful_payment=paid)
    state.updates.push("message", message_dict(state, message))
    state.record("payment", profile.id, message_id=message.message_id, currency=paid.currency,
                 total_amount=paid.total_amount, invoice_payload=paid.invoice_payload,
                 telegram_payment_charge_id=paid.telegram_payment_charge_id,
                 provider_payment_charge_id=paid.provider_payment_charge_id, repeat=repeat > 0)
    return message
