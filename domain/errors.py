"""Domain errors. Each carries a stable `code` the bot maps to a polite reply."""

from __future__ import annotations

from datetime import datetime

from domain.money import Money


class DomainError(Exception):
    code = "domain_error"


class Explained(DomainError):
    """A refusal whose reason the domain words: `template` is the English text with {named}
    fields and `params` their values (names, numbers, what someone wrote). str() is the
    English; the bot words it in the reader's language, the template being a message id of the
    catalogs (Babel extracts it from the raise)."""

    def __init__(self, template: str, /, **params: object) -> None:
        super().__init__(template.format(**params) if params else template)
        self.template = template
        self.params = params


def N_(template: str) -> str:
    """Marks a template kept in a table (for a refusal raised elsewhere) for the catalogs:
    gettext's own name for the marker, which Babel extracts."""
    return template


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found")
        self.what = what
        self.ident = ident


class IllegalTransition(DomainError):
    """An order asked to move where the transition table does not allow.

    The statuses are plain `str` (an `OrderStatus` is a `StrEnum`), so this module, which
    every other one imports, needs nothing from `domain.orders`.
    """

    code = "illegal_transition"

    def __init__(self, order_id: int, current: str, wanted: str) -> None:
        super().__init__(f"order {order_id}: {current} cannot move to {wanted}")
        self.order_id = order_id
        self.current = current
        self.wanted = wanted


class NotAllowed(DomainError):
    """The actor may not do this (another customer's order, a late cancel, ...)."""

    code = "not_allowed"


class TooLateToCancel(NotAllowed):
    """A customer's cancel after the order went past CONFIRMED."""

    code = "too_late_to_cancel"

    def __init__(self, status: str) -> None:
        super().__init__(f"an order that is {status} can no longer be cancelled")
        self.status = status


class EmptyCart(DomainError):
    code = "empty_cart"

    def __init__(self) -> None:
        super().__init__("the cart is empty")


class RestaurantClosed(DomainError):
    code = "restaurant_closed"

    def __init__(self, name: str, opens_at: datetime | None = None) -> None:
        super().__init__(f"{name} is closed")
        self.name = name
        self.opens_at = opens_at  # local time, when its hours say it opens next


class ItemUnavailable(DomainError):
    """A dish (or `option` of it) not available now; `offered` False: an option of it (or, with
    no name, the option pressed) is no longer on the menu at all."""

    code = "item_unavailable"

    def __init__(self, name: str, *, option: str | None = None, offered: bool = True) -> None:
        shown = (f"{name} ({option})" if option is not None else name) if offered else (
            f"{name} (an option no longer offered)" if name else "that option")
        super().__init__(f"{shown} is not available")
        self.name = name
        self.option = option
        self.offered = offered


class OtherRestaurantInCart(DomainError):
    """The cart holds dishes from another restaurant; the customer must choose."""

    code = "other_restaurant"

    def __init__(
        self, current: int, wanted: int, *, current_name: str = "", wanted_name: str = ""
    ) -> None:
        super().__init__(f"cart holds restaurant {current}, not {wanted}")
        self.current = current
        self.wanted = wanted
        self.current_name = current_name
        self.wanted_name = wanted_name


class BelowMinimum(DomainError):
    """The dishes come to less than the restaurant's minimum order (minor units)."""

    code = "below_minimum"

    def __init__(self, short_by: int, minimum: int, currency: str) -> None:
        short, least = Money(short_by, currency), Money(minimum, currency)
        super().__init__(f"{short} short of the minimum order of {least}")
        self.short_by = short_by
        self.minimum = minimum
        self.currency = currency


class OutOfStock(DomainError):
    """Fewer portions are left than the order asks for: `left` by dish name."""

    code = "out_of_stock"

    def __init__(self, left: dict[str, int]) -> None:
        super().__init__("not enough left: " + ", ".join(
            f"{name} ({count} left)" for name, count in left.items()))
        self.left = left


class InvalidQuantity(Explained):
    code = "invalid_quantity"


class InvalidInput(Explained):
    """A value outside its allowed range or length."""

    code = "invalid_input"


class PartnerBusy(DomainError):
    code = "partner_busy"


class AlreadyAssigned(DomainError):
    code = "already_assigned"


class SlotUnavailable(DomainError):
    """A delivery slot the restaurant can no longer deliver at (domain.slots)."""

    code = "slot_unavailable"

    def __init__(self, slot: datetime) -> None:
        super().__init__(f"no delivery at {slot:%Y-%m-%d %H:%M} UTC")
        self.slot = slot


class StaleSummary(DomainError):
    """A "Place order" press on a checkout summary that is no longer the current one."""

    code = "stale_summary"

    def __init__(self) -> None:
        super().__init__("this summary is out of date")


class NotYourContact(DomainError):
    """A contact card of someone else was shared where the customer's own number belongs."""

    code = "not_your_contact"

    def __init__(self) -> None:
        super().__init__("only your own phone number can be shared here")


class DuplicateOrder(DomainError):
    """Another press (perhaps on another instance) placed the order with this key first."""

    code = "duplicate_order"

    def __init__(self, key: str) -> None:
        super().__init__(f"an order with key {key} exists already")
        self.key = key


class AlreadyRated(DomainError):
    code = "already_rated"


class NotOffered(NotAllowed):
    """The partner pressed Accept or Decline on an order that was never offered to them."""

    code = "not_offered"


class OfferExpired(DomainError):
    """The offer ran out, was declined, or went to someone else before the press arrived."""

    code = "offer_expired"


class NotReady(DomainError):
    """The restaurant has not finished the order yet, so it cannot be picked up."""

    code = "not_ready"


class StaleOrder(DomainError):
    """The order kept changing while a press tried to act on it; the presser may try again."""

    code = "conflict"

    def __init__(self, order_id: int) -> None:
        super().__init__(f"order {order_id} changed meanwhile; please try again")
        self.order_id = order_id
