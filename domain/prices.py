"""Prices as people write them: read from an admin command or a menu file (`parse_price`),
and written back the same way (`major`), so a written price reads back to the same amount."""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.money import DECIMAL_MARKS, AmountError, minor_exponent, parse_amount
from domain.price_refusals import refusal

MAX_PRICE_MAJOR = 1_000_000


def parse_price(text: str, currency: str, *, decimal_mark: str = ".", what: str = "price",
                name: str = "", zero_allowed: bool = False) -> int:
    """A positive major-unit amount such as '249.50' in minor units (zero too when
    `zero_allowed`: a fee, a minimum, an option's extra), read exactly by
    `domain.money.parse_amount` with the context's decimal mark, or InvalidInput naming
    `what` (a subject of domain.price_refusals: "price", "delivery fee", "option price" with
    the option's `name`, ...) and saying why: admin commands and comma-separated files use a
    dot, `;`- and tab-separated files a comma. What was written is quoted back at most 40
    characters long."""
    places = minor_exponent(currency)
    shown = text.strip()
    if not shown:
        raise InvalidInput(refusal(what, "empty"), what=what, name=name)
    try:
        amount = parse_amount(shown, currency, decimal_mark=decimal_mark)
    except AmountError as problem:
        raise InvalidInput(refusal(what, problem.problem), what=what, name=name,
                           shown=shown[:40], **problem.params) from None
    if amount <= 0 and not (zero_allowed and amount == 0):
        raise InvalidInput(refusal(what, "zero"), what=what, name=name)
    if amount > MAX_PRICE_MAJOR * 10**places:
        most = f"{MAX_PRICE_MAJOR:,}"
        raise InvalidInput(refusal(what, "above"), what=what, name=name, shown=shown[:40],
                           most=most)
    return amount


def major(amount: int, currency: str, *, decimal_mark: str = ".") -> str:
    """Minor units as `parse_price` reads them back: '250', '249.50' (or '249,50'); no
    symbol, no thousands separators, decimals only when there are some."""
    if decimal_mark not in DECIMAL_MARKS:
        raise ValueError(f"a decimal mark is '.' or ',', not {decimal_mark!r}")
    places = minor_exponent(currency)
    whole, fraction = divmod(amount, 10**places)
    return f"{whole}{decimal_mark}{fraction:0{places}d}" if fraction else str(whole)
