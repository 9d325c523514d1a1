"""Money in integer minor units (paise, cents); never a float.

`parse_amount` is the one reader of amounts people write (admin commands, menu files): it
reads an amount exactly or refuses it with the reason, and never guesses. The context picks
the decimal mark (a dot in commands and comma-separated files, a comma in `;`- and
tab-separated ones); the other mark is never read as anything: `1,50` where a dot is the
mark is refused with "use a dot for decimals: 1.50", and `1,500` because it reads two ways
(1500 or 1.5). No thousands separators, signs, spaces or symbols; only the digits 0-9; no
more decimal places than the currency has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_SYMBOLS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_EXPONENTS = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}
DECIMAL_MARKS: Final = {".": "a dot", ",": "a comma"}  # the decimal marks, by name
MAX_DIGITS: Final = 15  # whole digits of an amount; far above any price, far below int limits
_DIGITS = re.compile(r"[0-9]+")


def minor_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has."""
    return _EXPONENTS.get(currency, 2)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"money must be integer minor units, got {self.amount!r}")

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Reads a major-unit amount such as '250' or '249.50' exactly (see parse_amount)."""
        return cls(parse_amount(text, currency), currency)

    def format(self) -> str:
        """'₹250.00' for INR 25000; the code stands in for unknown symbols."""
        places = minor_exponent(self.currency)
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**places)
        number = f"{whole:,}" + (f".{frac:0{places}d}" if places else "")
        symbol = _SYMBOLS.get(self.currency)
        return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {self.currency}"

    def __str__(self) -> str:
        return self.format()


class AmountError(ValueError):
    """An amount that cannot be read exactly. str() completes "price '1,50' ...", e.g.
    "has a comma: use a dot for decimals: 1.50"; `problem` names the reason (a key of
    REASONS) and `params` its values, so a whole sentence can be worded around it
    (domain.prices)."""

    def __init__(self, problem: str, /, **params: object) -> None:
        super().__init__(REASONS[problem].format(**params))
        self.problem = problem
        self.params = params


# why an amount is refused, by the key an AmountError carries
REASONS: Final = {
    "not_amount": "is not an amount",
    "places": "has more than {places} decimal places",
    "whole": "must be a whole number",
    "too_large": "is too large",
    "separators": "has thousands separators: write it without them: {amount}",
    "ambiguous_dot": "is ambiguous: it could mean {thousands} or {decimal}; write "
                     "{thousands}, or use a dot for decimals",
    "ambiguous_comma": "is ambiguous: it could mean {thousands} or {decimal}; write "
                       "{thousands}, or use a comma for decimals",
    "comma": "has a comma: use a dot for decimals: {amount}",
    "dot": "has a dot: use a comma for decimals: {amount}",
}


def parse_amount(text: str, currency: str, *, decimal_mark: str = ".") -> int:
    """The minor units of a major-unit amount such as '249.50' (surrounding spaces are
    fine), written with `decimal_mark`; AmountError saying why when it cannot be read
    exactly. Zero is an amount; whether it is allowed is the caller's rule."""
    if decimal_mark not in DECIMAL_MARKS:
        raise ValueError(f"a decimal mark is '.' or ',', not {decimal_mark!r}")
    shown = text.strip()
    other = "," if decimal_mark == "." else "."
    if other in shown:
        raise _other_mark(shown, decimal_mark, other)
    whole, mark, fraction = shown.partition(decimal_mark)
    if not _DIGITS.fullmatch(whole) or (mark and not _DIGITS.fullmatch(fraction)):
        raise AmountError("not_amount")
    places = minor_exponent(currency)
    if len(fraction) > places:
        raise AmountError("places", places=places) if places else AmountError("whole")
    if len(whole.lstrip("0")) > MAX_DIGITS:
        raise AmountError("too_large")
    scale: int = 10**places
    return int(whole.lstrip("0") or "0") * scale + int(fraction.ljust(places, "0") or "0")


def _other_mark(shown: str, mark: str, other: str) -> AmountError:
    """Why an amount holding the mark that is not this context's decimal mark is refused."""
    grouped = rf"[0-9]{{1,3}}(?:{re.escape(other)}[0-9]{{3}})+(?:{re.escape(mark)}[0-9]+)?"
    whole, _, fraction = shown.partition(other)
    if not (_DIGITS.fullmatch(whole) and _DIGITS.fullmatch(fraction)):
        if re.fullmatch(grouped, shown):
            return AmountError("separators", amount=shown.replace(other, ""))
        return AmountError("not_amount")
    if len(fraction) == 3:  # a thousands separator, or decimals written the other way
        decimals = fraction.rstrip("0")
        other_reading = whole + (mark + decimals if decimals else "")
        return AmountError("ambiguous_dot" if mark == "." else "ambiguous_comma",
                           thousands=whole + fraction, decimal=other_reading)
    return AmountError("comma" if other == "," else "dot", amount=f"{whole}{mark}{fraction}")
