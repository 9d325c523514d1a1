"""Menu export: a restaurant's dishes as the CSV file `domain.menu_import` reads.

Comma-separated, with a dot for decimals, every column of the import (`COLUMNS`), one row a
dish in menu order: imported back unedited, it leaves every dish as it is. An admin edits it
in a spreadsheet and sends it back with /importmenu.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from domain.ids import RestaurantId
from domain.menu_import import COLUMNS
from domain.option_specs import format_groups
from domain.prices import major
from domain.restaurants import MenuItem


def menu_file_name(restaurant_id: RestaurantId) -> str:
    return f"menu-{restaurant_id}.csv"


def write_menu_csv(items: Iterable[MenuItem], currency: str) -> str:
    """The dishes as a CSV text, header first; a value with a comma, a quote or a line break
    is quoted as the import reads it."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in items:
        cells = {"name": item.name, "price": major(item.price, currency),
                 "category": item.category, "description": item.description,
                 "available": "yes" if item.available else "no",
                 "options": format_groups(item.groups, currency)}
        writer.writerow([cells[column] for column in COLUMNS])
    return out.getvalue()


def menu_file(items: Iterable[MenuItem], currency: str) -> bytes:
    """The file as sent: UTF-8 with a byte-order mark, so spreadsheets open it as UTF-8."""
    return write_menu_csv(items, currency).encode("utf-8-sig")
