"""Parsers of the dish options commands' arguments (/setgroup, /dropgroup, /option; the field
rules in bot/admin/parsers.py, the GROUP | CHOOSE | OPTIONS syntax, shared with the menu
file's options column, in domain/option_specs.py)."""

from __future__ import annotations

from typing import Final

from bot.admin.commands import DropGroup, SetGroup, SetOptionAvailable
from bot.admin.parsers import fields_of, leading_id
from bot.i18n import N_
from domain.errors import InvalidInput
from domain.ids import MAX_CATALOGUE_ID, MenuItemId
from domain.option_specs import option_name, parse_group

GROUP_FIELDS: Final = ("GROUP", "CHOOSE", "OPTIONS")
_ON_OFF: Final = {"on": True, "off": False}


def set_group(args: str, currency: str) -> SetGroup:
    item_id, rest = leading_id(args, N_("item id"), MAX_CATALOGUE_ID)
    name, count, options = fields_of(rest, GROUP_FIELDS, 3)
    return SetGroup(MenuItemId(item_id), parse_group(name, count, options, currency))


def drop_group(args: str, _currency: str) -> DropGroup:
    item_id, rest = leading_id(args, N_("item id"), MAX_CATALOGUE_ID)
    return DropGroup(MenuItemId(item_id), option_name(rest, "option group"))


def set_option(args: str, _currency: str) -> SetOptionAvailable:
    item_id, rest = leading_id(args, N_("item id"), MAX_CATALOGUE_ID)
    group, option, state = fields_of(rest, ("GROUP", "OPTION", "on or off"), 3)
    if state.lower() not in _ON_OFF:
        raise InvalidInput(N_("the last field must be on or off, not '{text}'"),
                           text=state[:20])
    return SetOptionAvailable(MenuItemId(item_id), option_name(group, "option group"),
                              option_name(option), _ON_OFF[state.lower()])
