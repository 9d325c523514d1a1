"""Money in integer minor units (paise, cents); never a float."""

from __future__ import annotations

from dataclasses import dataclass

_SYMBOLS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_EXPONENTS = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}


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
        """Reads a major-unit amount such as '250' or '249.50' exactly, without floats."""
        raw = text.strip().replace(",", "")
        whole, _, frac = raw.partition(".")
        places = minor_exponent(currency)
        if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > places:
            raise ValueError(f"not an amount: {text!r}")
        return cls(int(whole) * 10**places + int(frac.ljust(places, "0") or 0), currency)

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
