"""Bot API payments for physical goods: sendInvoice and answerPreCheckoutQuery.

Refusals are 400s worded like Telegram's (Bot API server and TDLib wording, Telegram's
error identifiers where it has one), checked in this order, before any side effect:

    chat_id                     "chat not found" (403 "bot was blocked by the user")
    title: 1-32 characters      "TITLE_INVALID"
    description: 1-255         "DESCRIPTION_INVALID"
    payload: 1-128 bytes        "INVOICE_PAYLOAD_INVALID"
    provider_token              "PAYMENT_PROVIDER_INVALID" unless "<digits>:TEST:<any>" or
                                "<digits>:LIVE:<any>" (Telegram Stars, XTR, are not emulated)
    currency: 3 capitals        "CURRENCY_INVALID" (the code's shape only, no currency list)
    prices                      "can't parse prices JSON object" (missing, not JSON),
                                "expected an Array of labeled prices",
                                "there must be at least one price",
                                "can't parse labeled price: LabeledPrice must be an Object",
                                "can't parse labeled price: LabeledPrice label must be
                                non-empty", "can't parse labeled price: can't parse
                                \\"amount\\" as Number"
    sum of prices <= 0          "CURRENCY_TOTAL_AMOUNT_INVALID" (a negative line is fine; no
                                per-currency minimum or maximum)
    max_tip_amount < 0          "invalid max_tip_amount of the currency specified"
    suggested_tip_amounts       "expected an Array of suggested tip amounts",
                                "can't parse suggested tip amount",
                                "suggested tip amount must be positive",
                                "suggested tip amount can't be bigger than max_tip_amount"
                                (so tips need max_tip_amount > 0),
                                "there can be at most 4 suggested tip amounts",
                                "suggested tip amounts must be strictly increasing"
    reply_markup                "inline keyboard expected" (not an inline keyboard),
                                "REPLY_MARKUP_BUY_EMPTY" (its first button is not `pay`)

answerPreCheckoutQuery: "pre_checkout_query_id is empty"; "error_message is required when
ok is false"; "query is too old and response timeout expired or query ID is invalid" for an
unknown id, a second answer, or one after the deadline (see sandbox/precheckout.py).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from sandbox.errors import bad_request
from sandbox.invoices import Invoice, LabeledPrice
from sandbox.keyboards import first_button_pays
from sandbox.methods_messages import Method, deliver, prepare
from sandbox.params import Params
from sandbox.precheckout import PreCheckoutAnswer
from sandbox.state import SandboxState

MAX_TITLE = 32
MAX_DESCRIPTION = 255
MAX_PAYLOAD_BYTES = 128
MAX_SUGGESTED_TIPS = 4
_PROVIDER_TOKEN_RE = re.compile(r"^\d+:(TEST|LIVE):.+$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_PRICE = "can't parse labeled price: "


def _text(p: Params, name: str, longest: int, error: str) -> str:
    value = p.get_str(name) or ""
    if not 1 <= len(value) <= longest:
        raise bad_request(error)
    return value


def _integer(value: Any) -> int | None:
    """A JSON integer, or a string of one (Telegram takes both); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _prices(p: Params) -> tuple[LabeledPrice, ...]:
    if p.raw("prices") in (None, ""):
        raise bad_request("can't parse prices JSON object")
    raw = p.get_json("prices")
    if not isinstance(raw, list):
        raise bad_request("expected an Array of labeled prices")
    prices: list[LabeledPrice] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request(_PRICE + "LabeledPrice must be an Object")
        label = item.get("label")
        if not isinstance(label, str) or not label:
            raise bad_request(_PRICE + "LabeledPrice label must be non-empty")
        amount = _integer(item.get("amount"))
        if amount is None:
            raise bad_request(_PRICE + 'can\'t parse "amount" as Number')
        prices.append(LabeledPrice(label, amount))
    if not prices:
        raise bad_request("there must be at least one price")
    if sum(price.amount for price in prices) <= 0:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    return tuple(prices)


def _tips(p: Params) -> tuple[int, tuple[int, ...]]:
    """max_tip_amount and suggested_tip_amounts, checked in TDLib's order."""
    max_tip = p.get_int("max_tip_amount", 0) or 0
    if max_tip < 0:
        raise bad_request("invalid max_tip_amount of the currency specified")
    raw = p.get_json("suggested_tip_amounts")
    if raw is None:
        return max_tip, ()
    if not isinstance(raw, list):
        raise bad_request("expected an Array of suggested tip amounts")
    tips: list[int] = []
    for item in raw:
        tip = _integer(item)
        if tip is None:
            raise bad_request("can't parse suggested tip amount")
        if tip <= 0:
            raise bad_request("suggested tip amount must be positive")
        if tip > max_tip:
            raise bad_request("suggested tip amount can't be bigger than max_tip_amount")
        tips.append(tip)
    if len(tips) > MAX_SUGGESTED_TIPS:
        raise bad_request("there can be at most 4 suggested tip amounts")
    if any(a >= b for a, b in itertools.pairwise(tips)):
        raise bad_request("suggested tip amounts must be strictly increasing")
    return max_tip, tuple(tips)


def parse_invoice(p: Params) -> Invoice:
    """An Invoice from sendInvoice's parameters, or the first refusal (see the docstring)."""
    title = _text(p, "title", MAX_TITLE, "TITLE_INVALID")
    description = _text(p, "description", MAX_DESCRIPTION, "DESCRIPTION_INVALID")
    payload = p.get_str("payload")
    if not payload or len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    token = p.get_str("provider_token") or ""
    if not _PROVIDER_TOKEN_RE.match(token):
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    currency = p.get_str("currency") or ""
    if not _CURRENCY_RE.match(currency):
        raise bad_request("CURRENCY_INVALID")
    prices = _prices(p)
    max_tip, tips = _tips(p)
    return Invoice(
        title=title, description=description, payload=payload, currency=currency,
        prices=prices, provider_token=token, max_tip_amount=max_tip, suggested_tip_amounts=tips,
        start_parameter=p.get_str("start_parameter") or "", photo_url=p.get_str("photo_url"),
        need_name=p.get_bool("need_name"),
        need_phone_number=p.get_bool("need_phone_number")
        or p.get_bool("send_phone_number_to_provider"),
        need_email=p.get_bool("need_email") or p.get_bool("send_email_to_provider"),
        need_shipping_address=p.get_bool("need_shipping_address") or p.get_bool("is_flexible"),
        is_flexible=p.get_bool("is_flexible"))


def send_invoice(state: SandboxState, p: Params) -> dict[str, Any]:
    """An invoice message in the user's chat; counted by flood limits like any send."""
    target = prepare(state, p)
    invoice = parse_invoice(p)
    markup = target[1]
    if markup.reply is not None or markup.remove_keyboard or markup.force_reply:
        raise bad_request("inline keyboard expected")
    if markup.inline and not first_button_pays(markup):
        raise bad_request("REPLY_MARKUP_BUY_EMPTY")
    detail = {"currency": invoice.currency, "total_amount": invoice.total_amount,
              "max_tip_amount": invoice.max_tip_amount, "payload": invoice.payload}
    return deliver(state, target, "bot_invoice", invoice.title, detail, invoice=invoice)


def answer_pre_checkout_query(state: SandboxState, p: Params) -> bool:
    query_id = p.require_str("pre_checkout_query_id",
                             bad_request("pre_checkout_query_id is empty"))
    ok = p.get_bool("ok")
    error_message = p.get_str("error_message") or None
    if not ok and error_message is None:
        raise bad_request("error_message is required when ok is false")
    answer = PreCheckoutAnswer(ok, None if ok else error_message)
    query = state.payments.answer(query_id, answer)
    state.record("precheckout_answer", query.user_id, answer.error_message or "",
                 message_id=query.message_id, ok=ok, query_id=query_id)
    return True


PAYMENT_METHODS: dict[str, Method] = {
    "sendinvoice": send_invoice,
    "answerprecheckoutquery": answer_pre_checkout_query,
}
