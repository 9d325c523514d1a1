"""The one callback_data scheme: `action:id[:id]`, at most 64 bytes (STYLE.md rule 4).

Callback data comes from the network: `unpack` refuses anything malformed (unknown action,
wrong number of ids, non-digits) with BadCallback, which handlers answer politely.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

MAX_BYTES = 64


class Action(StrEnum):
    HOME = "home"
    HELP = "help"
    RESTAURANTS = "rl"  # page
    MENU = "mn"  # restaurant, page
    ADD = "add"  # item, page of its menu
    ADD_NEW_CART = "addn"  # item, page: empty the cart of another restaurant first
    PHOTO = "ph"  # item
    ADD_FROM_PHOTO = "adp"  # item
    CART = "cart"
    MORE = "inc"  # item
    LESS = "dec"  # item
    REMOVE = "del"  # item
    CLEAR = "clr"
    CHECKOUT = "co"
    CHANGE_ADDRESS = "addr"
    PLACE = "place"  # summary token
    ORDERS = "ol"
    ORDER = "od"  # order
    CANCEL = "cx"  # order: asks to confirm
    CANCEL_CONFIRMED = "cxy"  # order
    REORDER = "ro"  # order
    REORDER_NEW_CART = "ron"  # order
    RATE = "rate"  # order, stars
    OFFER_ACCEPT = "oacc"  # order: the offered partner takes it
    OFFER_DECLINE = "odec"  # order
    PICKED_UP = "pick"  # order: the assigned partner has it
    DELIVERED = "dlvd"  # order
    TICKET_ACCEPT = "tacc"  # order: the restaurant's manager takes it
    TICKET_REJECT = "trej"  # order
    TICKET_READY = "trdy"  # order: food ready for pickup
    GO_ONLINE = "on"
    GO_OFFLINE = "off"
    JOB = "job"


ARITY: Final[dict[Action, int]] = {
    Action.RESTAURANTS: 1, Action.MENU: 2, Action.ADD: 2, Action.ADD_NEW_CART: 2,
    Action.PHOTO: 1, Action.ADD_FROM_PHOTO: 1, Action.MORE: 1, Action.LESS: 1,
    Action.REMOVE: 1, Action.PLACE: 1, Action.ORDER: 1, Action.CANCEL: 1,
    Action.CANCEL_CONFIRMED: 1, Action.REORDER: 1, Action.REORDER_NEW_CART: 1, Action.RATE: 2,
    Action.OFFER_ACCEPT: 1, Action.OFFER_DECLINE: 1, Action.PICKED_UP: 1, Action.DELIVERED: 1,
    Action.TICKET_ACCEPT: 1, Action.TICKET_REJECT: 1, Action.TICKET_READY: 1,
}
_ID = re.compile(r"\d{1,19}")


class BadCallback(ValueError):
    """Callback data this bot never made: a forged or ancient button."""

    code = "bad_callback"


def pack(action: Action, *ids: int) -> str:
    if len(ids) != ARITY.get(action, 0) or any(i < 0 for i in ids):
        raise ValueError(f"{action} takes {ARITY.get(action, 0)} ids, got {ids}")
    data = ":".join([action.value, *map(str, ids)])
    if len(data.encode()) > MAX_BYTES:  # Bot API limit
        raise ValueError(data)
    return data


def unpack(data: str | None) -> tuple[Action, list[int]]:
    """The action and its ids; BadCallback for anything `pack` would not have made."""
    if not data or len(data.encode()) > MAX_BYTES:
        raise BadCallback(data)
    head, *parts = data.split(":")
    try:
        action = Action(head)
    except ValueError:
        raise BadCallback(data) from None
    if len(parts) != ARITY.get(action, 0) or not all(_ID.fullmatch(p) for p in parts):
        raise BadCallback(data)
    return action, [int(p) for p in parts]


def pattern(action: Action) -> str:
    return rf"^{action.value}(:|$)"
