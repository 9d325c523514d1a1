"""What an order costs, part by part: the dishes, delivery, a discount and a tip.

Each part is kept on its own (integer minor units of one currency) from the summary a
customer confirms to the order stored, so every screen, ticket and job card shows the same
breakdown and the total is always their sum. Discount and tip stay zero until promo codes and
online payment set them (issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import Money


@dataclass(frozen=True, slots=True)
class Bill:
    currency: str
    subtotal: int  # the dishes at the prices placed
    delivery_fee: int = 0
    discount: int = 0
    tip: int = 0

    def __post_init__(self) -> None:
        parts = (self.subtotal, self.delivery_fee, self.discount, self.tip)
        if any(part < 0 for part in parts):
            raise ValueError(f"a bill's parts cannot be negative: {parts}")
        if self.discount > self.subtotal:
            raise ValueError("a discount cannot be larger than the dishes it is taken off")

    @property
    def total(self) -> Money:
        """What the customer pays."""
        amount = self.subtotal + self.delivery_fee - self.discount + self.tip
        return Money(amount, self.currency)

    def money(self, amount: int) -> Money:
        return Money(amount, self.currency)

    @classmethod
    def from_total(
        cls, total: int, currency: str, *, delivery_fee: int = 0, discount: int = 0, tip: int = 0
    ) -> Bill:
        """The bill of a stored total and its stored parts (the dishes are what is left)."""
        return cls(currency, total - delivery_fee + discount - tip, delivery_fee, discount, tip)
