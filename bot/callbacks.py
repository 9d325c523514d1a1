"""The one callback_data scheme: `action:id[:id]`, at most 64 bytes (STYLE.md rule 4).

Callback data comes from the network: `unpack` refuses anything `pack` would not have made
(unknown action, wrong number of ids, anything but the digits 0-9, leading zeros, a number
outside the range of its slot: an order id past 2**63 - 1, a dish id past 2**31 - 1, an id
of 0) with BadCallback, which handlers answer politely. So no number that cannot be an id
reaches the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum, unique
from typing import Final

from bot.i18n import LANGUAGES
from domain.ids import MAX_CATALOGUE_ID, MAX_ID
from domain.options import MAX_OPTIONS
from domain.orders import OrderStatus
from domain.slots import DAYS

MAX_BYTES = 64


@unique  # two actions of one value would be one: a press routed to the wrong handler
class Action(StrEnum):
    HOME = "home"
    HELP = "help"
    RESTAURANTS = "rl"  # page
    MENU = "mn"  # restaurant, page
    ADD = "add"  # item, page of its menu
    ADD_NEW_CART = "addn"  # item, page: empty the cart of another restaurant first
    OPTIONS = "op"  # item, page: the card for picking a dish's options
    CHOOSE = "opc"  # item, page, fingerprint, mask, option: one option pressed on the card
    ADD_CHOSEN = "opa"  # item, page, fingerprint, mask: ✅ Add with the options picked
    ADD_CHOSEN_NEW_CART = "opn"  # item, page, fingerprint, mask: in a new cart
    PHOTO = "ph"  # item
    ADD_FROM_PHOTO = "adp"  # item
    CART = "cart"
    MORE = "inc"  # item, line: the cart line of that dish with those options (LineKey.ref)
    LESS = "dec"  # item, line
    REMOVE = "del"  # item, line
    CLEAR = "clr"
    CHECKOUT = "co"
    CHANGE_ADDRESS = "addr"
    PLACE = "place"  # summary token
    PROMO = "promo"  # the summary's 🏷 Promo code: the next text is the code
    PAY = "pay"  # summary token: 💳 Pay now sends the invoice
    PROMO_REMOVE = "promox"
    SLOTS = "sls"  # summary token, day: the delivery times to choose from (0 today)
    SLOT = "slot"  # summary token, minute: deliver then (minutes since 1970; 0: soon)
    ORDERS = "ol"
    ORDERS_OLDER = "olo"  # created (µs), order: the page of orders below that one
    ORDERS_NEWER = "oln"  # created (µs), order: the page above it
    ORDER = "od"  # order
    CANCEL = "cx"  # order: asks to confirm
    CANCEL_CONFIRMED = "cxy"  # order
    REORDER = "ro"  # order
    REORDER_NEW_CART = "ron"  # order
    RATE = "rate"  # order, stars
    LINE = "line"  # order: 💬 write to the rider, or to the customer
    OFFER_ACCEPT = "oacc"  # order: the offered partner takes it
    OFFER_DECLINE = "odec"  # order
    PICKED_UP = "pick"  # order: the assigned partner has it
    DELIVERED = "dlvd"  # order
    TICKET_ACCEPT = "tacc"  # order: the restaurant's manager takes it
    TICKET_REJECT = "trej"  # order
    TICKET_READY = "trdy"  # order: food ready for pickup
    TICKET_SOLD_OUT = "tsold"  # item: the kitchen has none left of a dish on the ticket
    GO_ONLINE = "on"
    GO_OFFLINE = "off"
    JOB = "job"
    LANGUAGE = "lang"  # language: its place in bot.i18n.LANGUAGES
    FORGET = "forget"  # /forgetme confirmed
    ADMIN_ORDERS = "aop"  # status (0: all), way (0 older, 1 newer), order: /allorders' pages
    ADMIN_DEAD = "adl"  # way, task: /deadletters' pages
    ADMIN_AUDIT = "aap"  # page size, way, entry: /audit's pages
    ADMIN_PARTNERS = "app"  # way, user id: /partners' pages


# The numbers each slot can hold (domain/ids.py): anything else is not data this bot made.
_ORDER = range(1, MAX_ID + 1)
_DISH = _RESTAURANT = range(1, MAX_CATALOGUE_ID + 1)
_TOKEN = range(1, MAX_ID + 1)  # a checkout summary's (bot.clock.RandomTokens: below 2**62)
_NUMBER = range(0, 2**31)  # a page (the nearest one is shown) or stars (the domain checks)
_LINE = range(0, 2**31)  # a cart line's options (domain.options.line_ref; 0: none)
_FINGERPRINT = range(0, 2**16)  # a dish's options as the card was drawn for
_MASK = range(0, 2**MAX_OPTIONS)  # the options picked on the card, one bit each
_OPTION = range(0, MAX_OPTIONS)  # the option pressed: its place among the dish's
_DAY = range(0, DAYS)  # 0 today, 1 tomorrow
_MINUTE = range(0, 2**31)  # a delivery slot, in minutes since 1970 (UTC); 0: soon
_LANGUAGE = range(0, len(LANGUAGES))
_MICROS = range(0, 2**62)  # a moment in µs since 1970 (domain.views.order_key)
_STATUS = range(0, len(OrderStatus) + 1)  # bot.admin.pages.STATUSES
_WAY = range(0, 2)  # older, newer
_SIZE = range(1, 101)  # entries a page of the audit shows
SLOTS: Final[dict[Action, tuple[range, ...]]] = {
    Action.RESTAURANTS: (_NUMBER,), Action.MENU: (_RESTAURANT, _NUMBER),
    Action.ADD: (_DISH, _NUMBER), Action.ADD_NEW_CART: (_DISH, _NUMBER),
    Action.OPTIONS: (_DISH, _NUMBER), Action.CHOOSE: (_DISH, _NUMBER, _FINGERPRINT, _MASK, _OPTION),
    Action.ADD_CHOSEN: (_DISH, _NUMBER, _FINGERPRINT, _MASK),
    Action.ADD_CHOSEN_NEW_CART: (_DISH, _NUMBER, _FINGERPRINT, _MASK),
    Action.PHOTO: (_DISH,), Action.ADD_FROM_PHOTO: (_DISH,), Action.MORE: (_DISH, _LINE),
    Action.LESS: (_DISH, _LINE), Action.REMOVE: (_DISH, _LINE), Action.PLACE: (_TOKEN,),
    Action.PAY: (_TOKEN,), Action.SLOTS: (_TOKEN, _DAY), Action.SLOT: (_TOKEN, _MINUTE),
    Action.ORDER: (_ORDER,), Action.CANCEL: (_ORDER,), Action.CANCEL_CONFIRMED: (_ORDER,),
    Action.REORDER: (_ORDER,), Action.REORDER_NEW_CART: (_ORDER,),
    Action.RATE: (_ORDER, _NUMBER), Action.LINE: (_ORDER,), Action.OFFER_ACCEPT: (_ORDER,),
    Action.OFFER_DECLINE: (_ORDER,), Action.PICKED_UP: (_ORDER,), Action.DELIVERED: (_ORDER,),
    Action.TICKET_ACCEPT: (_ORDER,), Action.TICKET_REJECT: (_ORDER,),
    Action.TICKET_READY: (_ORDER,), Action.TICKET_SOLD_OUT: (_DISH,),
    Action.LANGUAGE: (_LANGUAGE,), Action.ORDERS_OLDER: (_MICROS, _ORDER),
    Action.ORDERS_NEWER: (_MICROS, _ORDER), Action.ADMIN_ORDERS: (_STATUS, _WAY, _ORDER),
    Action.ADMIN_DEAD: (_WAY, _TOKEN), Action.ADMIN_AUDIT: (_SIZE, _WAY, _TOKEN),
    Action.ADMIN_PARTNERS: (_WAY, _TOKEN),
}
ARITY: Final[dict[Action, int]] = {action: len(slots) for action, slots in SLOTS.items()}
_NUMERAL = re.compile(r"0|[1-9][0-9]{0,18}")  # as str(int) writes one: ASCII, no padding


class BadCallback(ValueError):
    """Callback data this bot never made: a forged or ancient button."""

    code = "bad_callback"


def pack(action: Action, *ids: int) -> str:
    if not _fits(action, ids):
        raise ValueError(f"{action} takes ids in {SLOTS.get(action, ())}, got {ids}")
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
    if not all(_NUMERAL.fullmatch(p) for p in parts):
        raise BadCallback(data)
    ids = [int(p) for p in parts]
    if not _fits(action, ids):
        raise BadCallback(data)
    return action, ids


def _fits(action: Action, ids: Sequence[int]) -> bool:
    """Whether `ids` are as many as the action's slots, each in its slot's range."""
    slots = SLOTS.get(action, ())
    return len(ids) == len(slots) and all(i in slot for i, slot in zip(ids, slots, strict=True))


def pattern(action: Action) -> str:
    return rf"^{action.value}(:|$)"
