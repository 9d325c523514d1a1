"""Paying in chat (issue 13): the invoice a checkout's summary becomes, and what a payment
becomes — its order, or a refund due. Money is never kept without one of the two.

The invoice's payload is the summary's order key (`domain.checkout.order_key`): the order a
payment places is found by it, so the same payment reported twice, or a second payment of the
same invoice, never makes a second order (the second payment is a refund due). Telegram takes
the money; refunds happen at the payment provider, outside the Bot API: the service records
each refund due and an admin records it done (`/refunds`, `/refunded`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.bill import Bill
from domain.cart import PricedCart
from domain.errors import InvalidInput
from domain.ids import OrderId, UserId
from domain.options import label, line_name

MAX_TIPS = 4  # Telegram shows at most four suggested tips
TITLE_LIMIT, DESCRIPTION_LIMIT = 32, 255  # an invoice's, as Telegram checks them


@dataclass(frozen=True, slots=True)
class Tips:
    """The tips an invoice suggests and the most it takes, minor units."""

    suggested: tuple[int, ...]
    most: int

    def __post_init__(self) -> None:
        if len(self.suggested) > MAX_TIPS:
            raise InvalidInput("at most {count} suggested tips", count=MAX_TIPS)
        if any(t <= 0 for t in self.suggested) or list(self.suggested) != sorted(
                set(self.suggested)):
            raise InvalidInput("suggested tips must be positive and increasing")
        if self.suggested and self.most < self.suggested[-1]:
            raise InvalidInput("the largest tip must be at least the largest suggested one")


@dataclass(frozen=True, slots=True)
class Invoice:
    """What Telegram shows the customer to pay: labelled prices that add up to the bill."""

    title: str
    description: str
    payload: str  # the summary's order key
    currency: str
    prices: tuple[tuple[str, int], ...]  # (label, minor units); a discount is negative
    tips: Tips
    restaurant: str = ""  # whose order it is (the title names it)

    @property
    def total(self) -> int:
        return sum(amount for _, amount in self.prices)


def invoice_for(restaurant: str, priced: PricedCart, bill: Bill, payload: str,
                tips: Tips) -> Invoice:
    """The invoice of a summary: one price per dish line, delivery, and the discount."""
    names = [f"{line.quantity} × {line_name(line.name, label(line.options))}"
             for line in priced.lines]
    prices = [(name, line.subtotal) for name, line in zip(names, priced.lines, strict=True)]
    if bill.delivery_fee:
        prices.append(("Delivery", bill.delivery_fee))
    if bill.discount:
        prices.append(("Discount", -bill.discount))
    description = ", ".join(names)
    if len(description) > DESCRIPTION_LIMIT:
        description = description[: DESCRIPTION_LIMIT - 1] + "…"
    title = f"Order from {restaurant}"
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"
    return Invoice(title, description, payload, bill.currency, tuple(prices), tips, restaurant)


@dataclass(frozen=True, slots=True)
class Payment:
    """A successful payment as Telegram reported it."""

    customer_id: UserId
    payload: str
    currency: str
    total: int  # minor units, the tip included
    telegram_charge_id: str
    provider_charge_id: str


@dataclass(frozen=True, slots=True)
class Refund:
    """Money to give back: a paid order cancelled, or a payment that could not become one."""

    id: int
    customer_id: UserId
    order_id: OrderId | None
    amount: int
    currency: str
    reason: str
    telegram_charge_id: str
    provider_charge_id: str
    created_at: datetime
    refunded_at: datetime | None = None
    note: str = ""


class Payments(Protocol):
    """Payments and refunds as storage keeps them; never commits."""

    async def order_of(self, telegram_charge_id: str) -> OrderId | bool | None:
        """The order a payment placed; None when it placed none (a refund is due); False
        when the payment is not known yet."""
        ...

    async def add(self, payment: Payment, order_id: OrderId | None, tip: int,
                  at: datetime) -> None: ...

    async def add_refund(self, payment: Payment, order_id: OrderId | None, amount: int,
                         reason: str, at: datetime) -> Refund: ...

    async def refund_of(self, telegram_charge_id: str) -> Refund | None: ...

    async def of_order(self, order_id: OrderId) -> tuple[Payment | None, Refund | None]:
        """The payment that placed the order, if it was paid online, and its refund if any."""
        ...

    async def refunds_due(self, limit: int) -> Sequence[Refund]:
        """Refunds not yet recorded as done, oldest first."""
        ...

    async def mark_refunded(self, refund_id: int, note: str, at: datetime) -> Refund | None:
        """Records a due refund done; None when there is none due with that id."""
        ...
