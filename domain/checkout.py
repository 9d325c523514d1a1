"""Checkout: the delivery address, an optional note and the summary the customer confirms.

The draft lives in the database (one per customer), so a restart or a second instance
loses nothing. Each summary shown gets a fresh token; "Place order" carries it, so a press
on an outdated summary is refused and a repeated press places one order only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.bill import Bill
from domain.cart import PricedCart
from domain.errors import InvalidInput
from domain.ids import MenuItemId, UserId
from domain.orders import MAX_ADDRESS, MAX_NOTE, DeliveryDetails
from domain.validation import check_length


class CheckoutStep(StrEnum):
    ADDRESS = "address"  # waiting for a typed address or a shared location
    CONFIRM = "confirm"  # the summary is shown; a typed text becomes the note
    PROMO = "promo"  # 🏷 Promo code was pressed: a typed text is the code


@dataclass(frozen=True, slots=True)
class SnapshotLine:
    """One line of a summary as the customer saw it."""

    item_id: MenuItemId
    quantity: int
    unit_price: int  # with its options'
    options: tuple[int, ...] = ()  # the ids picked (domain.cart.LineKey)


def snapshot_of(priced: PricedCart) -> tuple[SnapshotLine, ...]:
    return tuple(SnapshotLine(li.item_id, li.quantity, li.unit_price, li.key.options)
                 for li in priced.lines)


def order_key(customer_id: UserId, token: int) -> str:
    """The idempotency key of the order a summary places (also its invoice's payload)."""
    return f"checkout:{customer_id}:{token}"


def token_of(key: str, customer_id: UserId) -> int | None:
    """The summary token in this customer's order key; None when it is not one."""
    number = key.removeprefix(f"checkout:{customer_id}:")
    return int(number) if number != key and number.isdigit() and len(number) < 20 else None


@dataclass
class Checkout:
    customer_id: UserId
    step: CheckoutStep = CheckoutStep.ADDRESS
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    note: str = ""
    token: int | None = None
    snapshot: tuple[SnapshotLine, ...] = field(default=())
    phone: str | None = None
    delivery_fee: int | None = None  # as the summary shown last charged it
    promo_code: str | None = None  # a code the customer gave, whether or not it applies
    discount: int | None = None  # as the summary shown last took it off
    paying_in: int | None = None  # the summary message 💳 Pay now was pressed on
    deliver_at: datetime | None = None  # a delivery slot chosen (domain.slots); None: now
    customer_zone: str | None = None  # the customer's own time zone, as read (not stored)

    def set_address(self, text: str) -> None:
        """A typed address; replaces a shared location."""
        self.address = check_length("address", text, MAX_ADDRESS)
        self.latitude = self.longitude = None
        self.step = CheckoutStep.CONFIRM

    def set_location(self, latitude: float, longitude: float) -> None:
        """A shared location; its coordinates stand in for the address text."""
        details = DeliveryDetails(f"📍 {latitude:.5f}, {longitude:.5f}", latitude, longitude)
        self.address, self.latitude, self.longitude = details.address, latitude, longitude
        self.step = CheckoutStep.CONFIRM

    def set_phone(self, text: str) -> None:
        """The customer's phone number, for the rider; checked as a delivery's phone is."""
        self.phone = DeliveryDetails("-", phone=text).phone

    def set_note(self, text: str) -> None:
        self.note = check_length("note", text, MAX_NOTE, required=False)

    def delivery(self) -> DeliveryDetails:
        if self.address is None:
            raise InvalidInput("address must not be empty")
        return DeliveryDetails(
            self.address, self.latitude, self.longitude, phone=self.phone, note=self.note
        )

    def summarize(self, priced: PricedCart, bill: Bill, token: int) -> None:
        """Records what the new summary shows and the token its "Place order" carries."""
        self.snapshot = snapshot_of(priced)
        self.delivery_fee, self.discount = bill.delivery_fee, bill.discount
        self.token = token

    def matches(self, priced: PricedCart, bill: Bill) -> bool:
        """Whether the cart priced and billed now is exactly what the summary showed."""
        shown = (self.delivery_fee or 0, self.discount or 0)  # None: shown before fees
        return self.snapshot == snapshot_of(priced) and shown == (bill.delivery_fee, bill.discount)
