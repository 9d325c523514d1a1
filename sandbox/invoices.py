"""Payment data as the chat holds it: an invoice the bot sent, a successful payment the user
made, the order details Telegram collects for a ``need_*`` invoice; their Bot API objects, and
how amounts and payment events read in the transcript.

Amounts are integers in the currency's smallest units, as in the Bot API (₹540.00 is 54000).
This module imports nothing of the sandbox, so messages and the transcript can both use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# ISO 4217 currencies without minor units (Telegram's currencies.json gives them exp 0).
_ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                           "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"})
_SYMBOLS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "RUB": "₽"}
PAYMENT_EVENTS = frozenset({"bot_invoice", "pay", "precheckout_answer", "payment",
                            "payment_declined", "payment_timeout"})


@dataclass(frozen=True, slots=True)
class LabeledPrice:
    """One line of an invoice; a negative amount is a discount."""

    label: str
    amount: int


@dataclass(frozen=True, slots=True)
class ShippingAddress:
    country_code: str
    state: str
    city: str
    street_line1: str
    street_line2: str
    post_code: str


@dataclass(frozen=True, slots=True)
class OrderInfo:
    """What the payment form collected because the invoice asked for it (need_* flags)."""

    name: str | None = None
    phone_number: str | None = None
    email: str | None = None
    shipping_address: ShippingAddress | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in (("name", self.name),
                                                 ("phone_number", self.phone_number),
                                                 ("email", self.email)) if v is not None}
        if self.shipping_address is not None:
            a = self.shipping_address
            out["shipping_address"] = {
                "country_code": a.country_code, "state": a.state, "city": a.city,
                "street_line1": a.street_line1, "street_line2": a.street_line2,
                "post_code": a.post_code}
        return out


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice message's terms, everything the bot passed to sendInvoice that matters to
    the payer (the provider token is kept only to tell test from live payments)."""

    title: str
    description: str
    payload: str
    currency: str
    prices: tuple[LabeledPrice, ...]
    provider_token: str
    max_tip_amount: int = 0
    suggested_tip_amounts: tuple[int, ...] = ()
    start_parameter: str = ""
    photo_url: str | None = None
    need_name: bool = False
    need_phone_number: bool = False
    need_email: bool = False
    need_shipping_address: bool = False
    is_flexible: bool = False

    @property
    def total_amount(self) -> int:
        """The sum of the prices, before any tip."""
        return sum(p.amount for p in self.prices)

    @property
    def is_test(self) -> bool:
        return ":TEST:" in self.provider_token

    @property
    def needs_order_info(self) -> bool:
        return (self.need_name or self.need_phone_number or self.need_email
                or self.need_shipping_address)

    def to_dict(self) -> dict[str, Any]:
        """The Bot API Invoice object (Message.invoice)."""
        return {"title": self.title, "description": self.description,
                "start_parameter": self.start_parameter, "currency": self.currency,
                "total_amount": self.total_amount}


@dataclass(frozen=True, slots=True)
class SuccessfulPayment:
    """Message.successful_payment: the same object in both copies of a duplicated delivery."""

    currency: str
    total_amount: int
    invoice_payload: str
    telegram_payment_charge_id: str
    provider_payment_charge_id: str
    shipping_option_id: str | None = None
    order_info: OrderInfo | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "currency": self.currency, "total_amount": self.total_amount,
            "invoice_payload": self.invoice_payload,
            "telegram_payment_charge_id": self.telegram_payment_charge_id,
            "provider_payment_charge_id": self.provider_payment_charge_id}
        if self.shipping_option_id is not None:
            out["shipping_option_id"] = self.shipping_option_id
        if self.order_info is not None:
            out["order_info"] = self.order_info.to_dict()
        return out


def format_amount(amount: int, currency: str) -> str:
    """54000 INR -> "₹540.00"; 500 JPY -> "¥500"; unknown symbols -> "12.50 CHF"."""
    digits = 0 if currency in _ZERO_DECIMAL else 2
    whole, minor = divmod(abs(amount), 10 ** digits)
    number = f"{whole:,}" + (f".{minor:0{digits}d}" if digits else "")
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def payment_lines(kind: str, user: str, bot: str, text: str, d: Mapping[str, Any]) -> list[str]:
    """Transcript lines for the payment events (kinds in PAYMENT_EVENTS)."""
    currency = str(d.get("currency", ""))

    def money(key: str) -> str:
        return format_amount(int(d.get(key, 0)), currency)

    if kind == "bot_invoice":
        tip = f" (tip up to {money('max_tip_amount')})" if d.get("max_tip_amount") else ""
        return [f"{bot}: 🧾 invoice {text!r} {money('total_amount')}{tip}"]
    if kind == "pay":
        tip = f" + tip {money('tip')}" if d.get("tip") else ""
        return [f"💳 {user} pays invoice {text!r} {money('price')}{tip}"]
    if kind == "precheckout_answer":
        return [f"{bot} answers pre-checkout: " + ("ok" if d.get("ok") else f"error: {text}")]
    if kind == "payment":
        again = " (delivered again)" if d.get("repeat") else ""
        return [f"✅ {user} paid {money('total_amount')}: charge "
                f"{d.get('telegram_payment_charge_id')}{again}"]
    if kind == "payment_declined":
        return [f"❌ {user}'s payment is declined: {text}"]
    return [f"⌛ {user}'s payment failed: no pre-checkout answer within {d.get('timeout')}s"]
