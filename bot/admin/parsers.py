"""Parsers of the admin commands' arguments: the field rules and one parser per command.

Each parser takes the text after the command and the configured currency and returns a
typed command from bot/admin/commands.py, or raises InvalidInput naming the problem;
CommandSpec.read in bot/admin/specs.py turns that into the reply with syntax and example.
A `what` argument names a field in a problem: a message id (N_), worded when it is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Final

from bot.admin.commands import (
    AddFood,
    AddRestaurant,
    AdminCommand,
    Audit,
    CancelOrder,
    EditFood,
    EditRestaurant,
    LinkManager,
    ListOrders,
    SetClosedDay,
    SetHours,
    SetKitchenAnswer,
    SetPrice,
    SetStock,
    SetTimeZone,
    SetTravel,
)
from bot.i18n import N_, _
from domain.errors import InvalidInput
from domain.estimates import parse_point
from domain.hours import parse_hours
from domain.ids import MAX_CATALOGUE_ID, MAX_ID, MenuItemId, OrderId, RestaurantId
from domain.menu_import import DEFAULT_CATEGORY, parse_price
from domain.orders import OrderStatus
from domain.restaurants import (
    MAX_ADDRESS,
    MAX_ANSWER_S,
    MAX_DESCRIPTION,
    MAX_NAME,
    Unanswered,
    check_time_zone,
)
from domain.validation import check_length

MAX_PREP_MINUTES: Final = 240  # as Restaurant checks it
DEFAULT_PREP_MINUTES: Final = 20
MAX_REASON: Final = 200
DEFAULT_AUDIT, MAX_AUDIT = 20, 100
CLEAR: Final = "-"  # in /editfood, clears the description


Parser = Callable[[str, str], AdminCommand]  # (text after the command, currency)


def _id(text: str, what: str, highest: int) -> int:
    """A positive id no larger than its kind allows (domain/ids.py): a larger number is
    refused here, so it never reaches a query."""
    raw, name = text.strip().removeprefix("#"), _(what)
    if not raw:
        raise InvalidInput(N_("{what} is missing"), what=name)
    if not re.fullmatch(r"[0-9]+", raw) or not raw.strip("0"):
        raise InvalidInput(N_("{what} must be a positive whole number, not '{text}'"),
                           what=name, text=text.strip()[:40])
    if len(raw.lstrip("0")) > len(str(highest)) or int(raw) > highest:
        raise InvalidInput(N_("{what} {number} is too large: there is none above {highest}"),
                           what=name, number=raw[:40], highest=f"{highest:,}")
    return int(raw)


def leading_id(args: str, what: str, highest: int = MAX_ID) -> tuple[int, str]:
    """The leading id and the rest of the text; `what` names its kind, a message id (N_)."""
    first, *rest = args.strip().split(None, 1) or [""]
    return _id(first, what, highest), rest[0].strip() if rest else ""


def fields_of(text: str, names: tuple[str, ...], required: int) -> list[str]:
    parts = [part.strip() for part in text.split("|")] if text.strip() else []
    if len(parts) < required:
        wanted = " | ".join(names[:required])
        raise InvalidInput(N_("expected {fields}, separated by |"), fields=wanted)
    if len(parts) > len(names):
        raise InvalidInput(N_("too many fields: at most {count}, separated by |"),
                           count=len(names))
    return parts + [""] * (len(names) - len(parts))


def _no_more(text: str, problem: str, **params: object) -> None:
    """InvalidInput `problem` (a message id with a {text} field) when `text` is not blank."""
    if text.strip():
        raise InvalidInput(problem, text=text.strip()[:40], **params)


def _minutes(text: str, what: str = N_("preparation minutes")) -> int:
    if not re.fullmatch(r"[0-9]{1,3}", text) or int(text) > MAX_PREP_MINUTES:
        raise InvalidInput(N_("{what} must be 0 to {most}, not '{text}'"), what=_(what),
                           most=MAX_PREP_MINUTES, text=text)
    return int(text)


def _status(text: str) -> OrderStatus:
    key = re.sub(r"[\s-]+", "_", text.strip()).upper()
    if key not in OrderStatus.__members__:
        names = ", ".join(status.lower() for status in OrderStatus)
        raise InvalidInput(N_("unknown status '{text}'; use one of: {names}"),
                           text=text.strip(), names=names)
    return OrderStatus(key)


def add_restaurant(args: str, _currency: str) -> AddRestaurant:
    name, address, prep = fields_of(args, ("NAME", "ADDRESS", "PREP_MINUTES"), 2)
    return AddRestaurant(
        check_length("name", name, MAX_NAME),
        check_length("address", address, MAX_ADDRESS),
        _minutes(prep) if prep else DEFAULT_PREP_MINUTES,
    )


def edit_restaurant(args: str, _currency: str) -> EditRestaurant:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    name, address, prep = fields_of(rest, ("NAME", "ADDRESS", "PREP_MINUTES"), 0)
    if not (name or address or prep):
        raise InvalidInput(N_("give at least one field to change"))
    return EditRestaurant(
        RestaurantId(restaurant_id),
        check_length("name", name, MAX_NAME) if name else None,
        check_length("address", address, MAX_ADDRESS) if address else None,
        _minutes(prep) if prep else None,
    )


def amount_of(text: str, currency: str, what: str, none: str) -> int:
    """A major-unit amount of zero or more, in minor units; `none` stands for zero."""
    return 0 if text == none else parse_price(text, currency, what=what, zero_allowed=True)


def hours(args: str, _currency: str) -> SetHours:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    if not rest:
        raise InvalidInput(N_("the hours are missing"))
    return SetHours(RestaurantId(restaurant_id), None if rest == CLEAR else parse_hours(rest))


def closed_day(args: str, _currency: str) -> SetClosedDay:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    day, then = fields_of(rest, ("DATE", "open"), 1)
    if then and then.lower() != "open":
        raise InvalidInput(N_("after the date, only 'open' (to take the day back), not '{text}'"),
                           text=then[:20])
    return SetClosedDay(RestaurantId(restaurant_id), a_day(day, N_("the day")), closed=not then)


def a_day(text: str, what: str) -> date:
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:  # 2026-02-30
            pass
    raise InvalidInput(N_("{what} must be a date such as 2026-12-31, not '{text}'"),
                       what=_(what), text=text[:40])


def travel(args: str, _currency: str) -> SetTravel:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    minutes, place = fields_of(rest, ("MINUTES", "LATITUDE, LONGITUDE"), 1)
    rid, ride = RestaurantId(restaurant_id), _minutes(minutes, N_("travel minutes"))
    if not place:
        return SetTravel(rid, ride)
    return SetTravel(rid, ride, None if place == CLEAR else parse_point(place), True)


def time_zone(args: str, _currency: str) -> SetTimeZone:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    if not rest:
        raise InvalidInput(N_("the time zone is missing"))
    return SetTimeZone(RestaurantId(restaurant_id), check_time_zone(rest))


def kitchen_answer(args: str, _currency: str) -> SetKitchenAnswer:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    minutes, then = fields_of(rest, ("MINUTES", "THEN"), 1)
    most = MAX_ANSWER_S // 60
    if not re.fullmatch(r"[0-9]{1,2}", minutes) or not 1 <= int(minutes) <= most:
        raise InvalidInput(N_("minutes must be 1 to {most}, not '{text}'"), most=most,
                           text=minutes[:40])
    if then and then.lower() not in {u.value for u in Unanswered}:
        raise InvalidInput(N_("then must be 'cancel' or 'accept', not '{text}'"),
                           text=then[:40])
    return SetKitchenAnswer(RestaurantId(restaurant_id), int(minutes),
                            Unanswered(then.lower()) if then else None)


def add_food(args: str, currency: str) -> AddFood:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    names = ("NAME", "PRICE", "CATEGORY", "DESCRIPTION")
    name, price, category, description = fields_of(rest, names, 2)
    return AddFood(
        RestaurantId(restaurant_id),
        check_length("name", name, MAX_NAME),
        parse_price(price, currency),
        check_length("category", category, MAX_NAME, required=False) or DEFAULT_CATEGORY,
        check_length("description", description, MAX_DESCRIPTION, required=False),
    )


def edit_food(args: str, currency: str) -> EditFood:
    item_id, rest = leading_id(args, N_("item id"), MAX_CATALOGUE_ID)
    names = ("NAME", "PRICE", "CATEGORY", "DESCRIPTION")
    name, price, category, description = fields_of(rest, names, 0)
    if not (name or price or category or description):
        raise InvalidInput(N_("give at least one field to change"))
    return EditFood(
        MenuItemId(item_id),
        check_length("name", name, MAX_NAME) if name else None,
        parse_price(price, currency) if price else None,
        check_length("category", category, MAX_NAME) if category else None,
        "" if description == CLEAR else (
            check_length("description", description, MAX_DESCRIPTION) if description else None
        ),
    )


def set_price(args: str, currency: str) -> SetPrice:
    item_id, rest = leading_id(args, N_("item id"), MAX_CATALOGUE_ID)
    return SetPrice(MenuItemId(item_id), parse_price(rest, currency))


MAX_STOCK: Final = 100_000


def set_stock(args: str, _currency: str) -> SetStock:
    item_id, rest = leading_id(args, N_("item id"), MAX_CATALOGUE_ID)
    if rest == CLEAR:
        return SetStock(MenuItemId(item_id), None)
    if not re.fullmatch(r"[0-9]{1,6}", rest) or int(rest) > MAX_STOCK:
        raise InvalidInput(N_("portions must be 0 to {most}, or '{clear}' to stop counting, "
                              "not '{text}'"), most=f"{MAX_STOCK:,}", clear=CLEAR,
                           text=rest[:40])
    return SetStock(MenuItemId(item_id), int(rest))


def link_manager(args: str, _currency: str) -> LinkManager:
    restaurant_id, rest = leading_id(args, N_("restaurant id"), MAX_CATALOGUE_ID)
    if not rest:
        raise InvalidInput(N_("chat id is missing"))
    if rest.lower() == "none":
        return LinkManager(RestaurantId(restaurant_id), None)
    if not re.fullmatch(r"-?[0-9]{1,19}", rest) or not 0 < abs(int(rest)) <= MAX_ID:
        raise InvalidInput(N_("chat id must be a whole number such as -1001234567890, "
                              "not '{text}'"), text=rest)
    return LinkManager(RestaurantId(restaurant_id), int(rest))


def list_orders(args: str, _currency: str) -> ListOrders:
    return ListOrders(_status(args) if args.strip() else None)


def cancel_order(args: str, _currency: str) -> CancelOrder:
    order_id, rest = leading_id(args, N_("order id"))
    reason = check_length("reason", rest.removeprefix("|"), MAX_REASON)
    return CancelOrder(OrderId(order_id), reason)


def audit(args: str, _currency: str) -> Audit:
    if not args.strip():
        return Audit(DEFAULT_AUDIT)
    if not re.fullmatch(r"[0-9]{1,3}", args.strip()) or not 0 < int(args) <= MAX_AUDIT:
        raise InvalidInput(N_("the number of entries must be 1 to {most}"), most=MAX_AUDIT)
    return Audit(int(args))


def by_id(make: Callable[[int], AdminCommand], what: str, highest: int = MAX_ID) -> Parser:
    """A parser of one id of up to `highest` and nothing else; `what` is a message id (N_)."""
    def parse(args: str, _currency: str) -> AdminCommand:
        ident, rest = leading_id(args, what, highest)
        _no_more(rest, N_("expected only the {what}, not '{text}'"), what=_(what))
        return make(ident)

    return parse


def by_restaurant_id(make: Callable[[int], AdminCommand]) -> Parser:
    return by_id(make, N_("restaurant id"), MAX_CATALOGUE_ID)


def by_item_id(make: Callable[[int], AdminCommand]) -> Parser:
    return by_id(make, N_("item id"), MAX_CATALOGUE_ID)


def bare(make: Callable[[], AdminCommand]) -> Parser:
    def parse(args: str, _currency: str) -> AdminCommand:
        _no_more(args, N_("this command takes no arguments, not '{text}'"))
        return make()

    return parse
