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

from domain.errors import InvalidInput

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Cc but \t \n \r
_ANY_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_length(field: str, value: str, limit: int, *, required: bool = True) -> str:
    """Trims a text field and checks it: no control characters but line breaks and tabs,
    not empty when required, at most `limit` characters; raises InvalidInput naming the
    field."""
    if _CONTROL.search(value):
        raise InvalidInput(f"{field} must not contain invisible control characters")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{field} must not be empty")
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters")
    return value


def profile_name(name: str) -> str:
    """A name from a Telegram profile as we store and show it: without control characters."""
    return _ANY_CONTROL.sub("", name)
