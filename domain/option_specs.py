"""Dish options written as text: the one syntax of the admin's /setgroup and of a menu file's
`options` cell, its reader and its writer, and the rule that rewriting a dish's groups keeps
the ids of the options it had.

A group is a name, how many of its options are picked, and the options::

    Size=1: Regular, Medium +100, Large +200            (a menu file's cell: GROUP=CHOOSE:
    Size=1: Regular, Large +200; Toppings=0-3: Olives +30   OPTIONS, groups split by `;`)
    /setgroup 12 Size | 1 | Regular, Medium +100, Large +200       (the same three parts)

CHOOSE is N or MIN-MAX: 1 (one must be picked), 0-1 (an optional one), 0-3 (up to three),
1-2. PRICE is what the option adds, in major units with the context's decimal mark (a dot in
commands and comma-separated files, a comma in `;`- and tab-separated ones); none adds 0.
Names cannot hold the separators `| ; = : , +` or a line break.

An option keeps its id (and whether it is available) when it is written again under the same
group and option names, ignoring case, so the carts holding it stay valid; an option new to
its group gets an id above every id the dish has.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Final, Literal

from domain.errors import N_, InvalidInput
from domain.options import MAX_OPTION_NAME, Option, OptionGroup, check_groups, next_option_id
from domain.prices import major, parse_price
from domain.validation import check_length

RESERVED: Final = "|;=:,+\n\r\t"
EXAMPLE: Final = "Size=1: Regular, Large +200; Toppings=0-3: Olives +30"
_COUNT: Final = re.compile(r"([0-9]{1,2})(?:\s*-\s*([0-9]{1,2}))?")
_DIGITS: Final = re.compile(r"\s*[0-9]+\s*")
_ENDS_IN_PRICE: Final = re.compile(r"\+\s*[0-9][0-9,]*$")
_MINUS: Final = re.compile(r"\s-\s*[0-9][0-9.,]*\s*$")  # 'Large -50': a price taken off
_RESERVED_IN: Final = {  # a name holding a separator, by what it names
    "option": N_("option '{name}' must not contain | ; = : , + or a line break"),
    "option group": N_("option group '{name}' must not contain | ; = : , + or a line break"),
}


def option_name(text: str, what: Literal["option", "option group"] = "option") -> str:
    """A group's or an option's name: trimmed, at most 32 characters, no separator."""
    name = check_length(what, text, MAX_OPTION_NAME)
    if any(mark in RESERVED for mark in name):
        raise InvalidInput(_RESERVED_IN[what], name=name)
    return name


def parse_count(text: str, group: str) -> tuple[int, int]:
    """CHOOSE as (least, most): '1' is (1, 1), '0-3' is (0, 3)."""
    match = _COUNT.fullmatch(text.strip())
    least, most = (int(match[1]), int(match[2] or match[1])) if match else (0, 0)
    if not 0 <= least <= most or most < 1:
        raise InvalidInput("{group}: CHOOSE must be N or MIN-MAX such as 1, 0-1 or 0-3, "
                           "not '{shown}'", group=group, shown=text.strip()[:20])
    return least, most


def parse_group(name: str, count: str, options: str, currency: str, *,
                decimal_mark: str = ".") -> OptionGroup:
    """One group from its three parts; its options are numbered from 1 (`with_ids` gives
    them their ids on the dish)."""
    group = option_name(name, "option group")
    least, most = parse_count(count, group)
    if not options.strip():
        raise InvalidInput("{group}: list its options, separated by commas", group=group)
    parsed = tuple(_option(group, number, text, currency, decimal_mark)
                   for number, text in enumerate(_pieces(options), start=1))
    return OptionGroup(group, parsed, least, most)


def parse_groups(cell: str, currency: str, *, decimal_mark: str = ".") -> tuple[OptionGroup, ...]:
    """A menu file's options cell: its groups, checked together, options numbered from 1;
    an empty cell: none."""
    groups: list[OptionGroup] = []
    for text in cell.split(";"):
        if not text.strip():
            continue
        head, colon, options = text.partition(":")
        name, equals, count = head.partition("=")
        if not (colon and equals):
            raise InvalidInput("options '{shown}' must be written GROUP=CHOOSE: "
                               "OPTION [+PRICE], ... such as {example}",
                               shown=text.strip()[:40], example=EXAMPLE)
        groups.append(parse_group(name, count, options, currency, decimal_mark=decimal_mark))
    return with_ids((), groups)


def format_groups(groups: Iterable[OptionGroup], currency: str, *,
                  decimal_mark: str = ".") -> str:
    """The groups as `parse_groups` reads them back."""
    return "; ".join(f"{group.name}={group.chooses}: "
                     f"{format_options(group, currency, decimal_mark=decimal_mark)}"
                     for group in groups)


def format_options(group: OptionGroup, currency: str, *, decimal_mark: str = ".") -> str:
    """'Regular, Medium +100, Large +200': a group's options as they are written."""
    return ", ".join(
        option.name + (f" +{major(option.price, currency, decimal_mark=decimal_mark)}"
                       if option.price else "")
        for option in group.options)


def with_ids(current: Sequence[OptionGroup], wanted: Iterable[OptionGroup], *,
             above: int = 0) -> tuple[OptionGroup, ...]:
    """`wanted` as a dish's groups, checked, in place of `current`: an option named as one
    of the same-named group in `current` keeps its id and availability; any other gets an id
    above every id in `current` and above `above` (the dish's `last_option_id`), so never
    that of an option dropped, now or before."""
    had = {(group.name.casefold(), option.name.casefold()): option
           for group in current for option in group.options}
    fresh = itertools.count(max(next_option_id(current), above + 1))
    groups: list[OptionGroup] = []
    for group in wanted:
        options: list[Option] = []
        for option in group.options:
            old = had.get((group.name.casefold(), option.name.casefold()))
            options.append(replace(option, id=old.id, available=old.available) if old
                           else replace(option, id=next(fresh)))
        groups.append(replace(group, options=tuple(options)))
    return check_groups(groups)


def with_group(current: Sequence[OptionGroup], group: OptionGroup, *, above: int = 0
               ) -> tuple[OptionGroup, ...]:
    """The dish's groups with `group` in place of the one of its name (ignoring case), or
    after them all when it is new; ids kept as `with_ids` keeps them."""
    key = group.name.casefold()
    wanted = [group if old.name.casefold() == key else old for old in current]
    if all(old.name.casefold() != key for old in current):
        wanted.append(group)
    return with_ids(current, wanted, above=above)


def _pieces(text: str) -> list[str]:
    """The options' texts: the list split at its commas, but for a comma inside a price
    ('+249,50' where the decimal mark is a comma; '+1,50' where it is not is then refused
    by the price's reader rather than read as an option named '50')."""
    pieces: list[str] = []
    for piece in text.split(","):
        if pieces and _DIGITS.fullmatch(piece) and _ENDS_IN_PRICE.search(pieces[-1].rstrip()):
            pieces[-1] += "," + piece
        else:
            pieces.append(piece)
    return pieces


def _option(group: str, number: int, text: str, currency: str, decimal_mark: str) -> Option:
    name, plus, price = text.partition("+")
    if not name.strip():
        raise InvalidInput("{group}: an option has no name (two commas in a row?)",
                           group=group)
    if not plus and _MINUS.search(name):
        raise InvalidInput("{group}: '{name}': an option can only add to the price (+PRICE), "
                           "not take from it", group=group, name=name.strip()[:40])
    name = option_name(name)
    extra = parse_price(price, currency, decimal_mark=decimal_mark, what="option price",
                        name=name, zero_allowed=True) if plus else 0
    return Option(number, name, extra)
