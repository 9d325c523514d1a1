"""Checks on free text typed by people: names, addresses, notes, reasons."""

from __future__ import annotations

from domain.errors import InvalidInput


def check_length(field: str, value: str, limit: int, *, required: bool = True) -> str:
    """Trims a text field and checks its length; raises InvalidInput naming the field."""
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{field} must not be empty")
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters")
    return value
