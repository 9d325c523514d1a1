"""Parsers of the money commands' arguments: fees, promo codes, refunds (bot/admin/parsers.py
has the field rules they share)."""

from __future__ import annotations

import re
from typing import Final

from bot.admin.commands import AddPromo, EndPromo, MarkRefunded, SetTerms
from bot.admin.parsers import CLEAR, a_day, amount_of, fields_of, leading_id
from bot.i18n import N_, _
from domain.errors import InvalidInput
from domain.ids import MAX_CATALOGUE_ID, RestaurantId
from domain.promos import normalize_code
from domain.services.admin.refunds import MAX_NOTE
from domain.validation import check_length

MAX_USES: Final = 1_000_000


def add_promo(args: str, currency: str) -> AddPromo:
    names = ("CODE", "DISCOUNT", "MIN_ORDER", "VALID_UNTIL", "TOTAL_USES", "USES_PER_CUSTOMER")
    code, off, minimum, until, total, per_customer = fields_of(args, names, 2)
    percent, amount = _discount(off, currency)
    return AddPromo(
        normalize_code(code), percent, amount,
        amount_of(minimum, currency, "minimum order", CLEAR) if minimum else 0,
        a_day(until, N_("the last day")) if until and until != CLEAR else None,
        _uses(total, N_("total uses")) if total and total != CLEAR else None,
        _uses(per_customer, N_("uses per customer")) if per_customer else 1,
    )


def _discount(text: str, currency: str) -> tuple[int | None, int | None]:
    """'10%' -> (10, None); '50' -> (None, 5000): a percentage or an amount off."""
    if text.endswith("%"):
        number = text.removesuffix("%").strip()
        if not re.fullmatch(r"[0-9]{1,3}", number) or not 1 <= int(number) <= 100:
            raise InvalidInput(N_("a percentage off must be 1% to 100%, not '{text}'"),
                               text=text[:40])
        return int(number), None
    amount = amount_of(text, currency, "discount", "")
    if not amount:
        raise InvalidInput(N_("the discount must be above zero: 10% or an amount such as 50"))
    return None, amount


def _uses(text: str, what: str) -> int:
    """A number of uses; `what` names it, a message id (N_)."""
    if not re.fullmatch(r"[0-9]{1,7}", text) or not 1 <= int(text) <= MAX_USES:
        raise InvalidInput(N_("{what} must be a whole number from 1 to {most}"),
                           what=_(what), most=f"{MAX_USES:,}")
    return int(text)


def refunded(args: str, _currency: str) -> MarkRefunded:
    refund_id, rest = leading_id(args, N_("refund id"))
    return MarkRefunded(refund_id, check_length("note", rest.removeprefix("|"), MAX_NOTE))


def end_promo(args: str, _currency: str) -> EndPromo:
    return EndPromo(normalize_code(args))


def set_terms(args: str, currency: str) -> SetTerms:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    names = ("DELIVERY_FEE", "FREE_DELIVERY_FROM", "MINIMUM_ORDER")
    fee, free_from, minimum = fields_of(rest, names, 1)
    if not (fee or free_from or minimum):
        raise InvalidInput(N_("give at least one field to change"))
    return SetTerms(
        RestaurantId(restaurant_id),
        amount_of(fee, currency, "delivery fee", CLEAR) if fee else None,
        amount_of(free_from, currency, "free delivery amount", CLEAR) if free_from else None,
        amount_of(minimum, currency, "minimum order", CLEAR) if minimum else None,
    )
