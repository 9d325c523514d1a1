"""Checks on free text people give us: names, addresses, notes, descriptions, reasons.

One rule for control characters, the same on every database (SQLite stores a NUL byte that
PostgreSQL refuses): a text a person types that we store (an address, a note, an admin's
names, addresses, categories, descriptions and reasons, a menu file's cells) is refused with
a clear message when it holds a control character (Unicode category Cc: NUL and the other C0
controls, DEL, the C1 controls) other than a line break or a tab, which every text keeps as
before. Nothing invisible is stored, and nothing is changed behind the typist's back.

A Telegram profile name is not typed to us and cannot be fixed from our chat, so refusing it
would lock its owner out: `profile_name` removes its control characters instead.
"""

from __future__ import annotations

import re
from typing import Final

from domain.errors import N_, InvalidInput

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Cc but \t \n \r
_ANY_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# each field's refusals, one whole sentence each: (control characters, empty, too long)
_REFUSALS: Final = {
    "name": (N_("name must not contain invisible control characters"),
             N_("name must not be empty"),
             N_("name is longer than {limit} characters")),
    "address": (N_("address must not contain invisible control characters"),
                N_("address must not be empty"),
                N_("address is longer than {limit} characters")),
    "category": (N_("category must not contain invisible control characters"),
                 N_("category must not be empty"),
                 N_("category is longer than {limit} characters")),
    "description": (N_("description must not contain invisible control characters"),
                    N_("description must not be empty"),
                    N_("description is longer than {limit} characters")),
    "note": (N_("note must not contain invisible control characters"),
             N_("note must not be empty"),
             N_("note is longer than {limit} characters")),
    "reason": (N_("reason must not contain invisible control characters"),
               N_("reason must not be empty"),
               N_("reason is longer than {limit} characters")),
    "option": (N_("option must not contain invisible control characters"),
               N_("option must not be empty"),
               N_("option is longer than {limit} characters")),
    "option group": (N_("option group must not contain invisible control characters"),
                     N_("option group must not be empty"),
                     N_("option group is longer than {limit} characters")),
}
# a field not in the table: its name goes in as a value (a fragment in other languages)
_ANY_FIELD: Final = (N_("{field} must not contain invisible control characters"),
                     N_("{field} must not be empty"),
                     N_("{field} is longer than {limit} characters"))


def check_length(field: str, value: str, limit: int, *, required: bool = True) -> str:
    """Trims a text field and checks it: no control characters but line breaks and tabs,
    not empty when required, at most `limit` characters; raises InvalidInput naming the
    field (one of _REFUSALS' fields, so the whole sentence is one message)."""
    control, empty, too_long = _REFUSALS.get(field, _ANY_FIELD)
    if _CONTROL.search(value):
        raise InvalidInput(control, field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(empty, field=field)
    if len(value) > limit:
        raise InvalidInput(too_long, field=field, limit=limit)
    return value


def profile_name(name: str) -> str:
    """A name from a Telegram profile as we store and show it: without control characters."""
    return _ANY_CONTROL.sub("", name)
