"""Menu import from a CSV file: read and check every row, then plan the adds and updates.

The file (sent as a document with the caption ``/importmenu RESTAURANT_ID``):

- UTF-8 text (a byte-order mark, as Excel's "CSV UTF-8" writes, is fine), at most
  200,000 characters and 500 dish rows; the first row is the header.
- Separated by commas; a file whose header line has semicolons and no commas (Excel in
  many European locales) is read as semicolon-separated, one with only tabs as
  tab-separated. A value holding the separator goes in double quotes. Prices in a
  comma-separated file use a dot for decimals (``249.50``); in a semicolon- or
  tab-separated one a comma (``249,50``), as Excel writes them there. The other mark is
  refused, never guessed (see ``domain.money.parse_amount``).
- Columns, in any order, names case-insensitive:

  | column      | required | meaning                                                   |
  |-------------|----------|-----------------------------------------------------------|
  | name        | yes      | the dish, up to 64 characters                             |
  | price       | yes      | major units, read exactly: ``250``, ``249.50`` (``249,50``|
  |             |          | in ``;``/tab files); above 0, at most 1,000,000           |
  | category    | no       | up to 64 characters; empty means ``Menu``                 |
  | description | no       | up to 300 characters; may be empty                        |
  | available   | no       | yes/no, true/false or 1/0; empty means yes                |
  | options     | no       | option groups, ``;`` between them, each                   |
  |             |          | ``GROUP=CHOOSE: OPTION [+PRICE], ...`` with the file's    |
  |             |          | decimal mark (see domain/option_specs.py); empty: none    |

  Any other column, a missing ``name`` or ``price`` column, or a column named twice
  rejects the whole file before any row is read.
- Blank lines are skipped. Each other row is added, updated or rejected with its line
  number and a reason (an empty name, a price that is not an amount, a name used twice
  in the file, ...). Dishes match the restaurant's menu by name, ignoring case and
  repeated spaces: a match takes the file's values (its spelling too), anything else
  is added. An optional column left out of the file keeps each dish's current value;
  dishes not in the file are left as they are (hide them with /hidefood). Options keep
  their ids and availability by group and option name (as /setgroup keeps them), so a
  file that /exportmenu wrote imports back with every dish unchanged.

Example::

    name,price,category,description,available,options
    Margherita,249.50,Pizzas,"Cheese, tomato, basil",yes,
    Farmhouse,399,Pizzas,Onion and capsicum,,"Size=1: Regular, Large +200; Dip=0-1: Salsa"
    Garlic bread,99,Sides,,no,
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from domain.errors import N_, InvalidInput
from domain.ids import MenuItemId, RestaurantId
from domain.option_specs import parse_groups, with_ids
from domain.options import OptionGroup
from domain.prices import MAX_PRICE_MAJOR as MAX_PRICE_MAJOR  # re-exported, as before
from domain.prices import parse_price as parse_price
from domain.restaurants import MAX_DESCRIPTION, MAX_NAME, MenuItem
from domain.validation import check_length

MAX_ROWS = 500
MAX_FILE_CHARS = 200_000
DEFAULT_CATEGORY = "Menu"
COLUMNS = ("name", "price", "category", "description", "available", "options")
REQUIRED_COLUMNS = ("name", "price")
_YES = frozenset({"yes", "true", "1", ""})
_NO = frozenset({"no", "false", "0"})


class MenuFileError(InvalidInput):
    """The file as a whole cannot be imported; nothing in it was taken."""

    code = "bad_menu_file"


def name_key(name: str) -> str:
    """How names are matched: case-insensitive, runs of spaces counted as one."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class MenuDraft:
    """A checked row. None in an optional field: the column was not in the file."""

    line: int
    name: str
    price: int  # minor units
    category: str | None = None
    description: str | None = None
    available: bool | None = None
    groups: tuple[OptionGroup, ...] | None = None  # options numbered from 1

    def to_item(self, item_id: MenuItemId, restaurant_id: RestaurantId) -> MenuItem:
        """The new dish, with defaults for the columns the file left out."""
        return MenuItem(
            item_id, restaurant_id, self.name, self.price,
            available=True if self.available is None else self.available,
            description=self.description or "",
            category=self.category or DEFAULT_CATEGORY,
            groups=self.groups or (),
        )

    def apply_to(self, item: MenuItem) -> MenuItem:
        """The dish as this row changes it; columns the file left out keep their value, and
        options written again keep their ids and availability."""
        return replace(
            item, name=self.name, price=self.price,
            available=item.available if self.available is None else self.available,
            description=item.description if self.description is None else self.description,
            category=item.category if self.category is None else self.category,
            groups=item.groups if self.groups is None else with_ids(
                item.groups, self.groups, above=item.last_option_id),
        )


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row not taken: `reason` is the English; `template` and `params` the refusal's, so
    the bot can word it in the reader's language (no template: `reason` is all there is)."""

    line: int
    reason: str
    template: str = field(default="", compare=False, repr=False)
    params: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MenuImport:
    restaurant_id: RestaurantId
    columns: tuple[str, ...]
    drafts: tuple[MenuDraft, ...]
    rejected: tuple[Rejection, ...]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """New drafts to store under fresh ids, updated dishes (ids kept), and matches as-is."""

    to_add: tuple[MenuDraft, ...]
    to_update: tuple[MenuItem, ...]
    unchanged: tuple[MenuItem, ...]


def decode_menu_file(data: bytes) -> str:
    """The text of an uploaded file, or a MenuFileError saying how to save it properly."""
    if data.startswith(b"PK\x03\x04"):
        raise MenuFileError(N_("this is a spreadsheet workbook; save it as 'CSV UTF-8' first"))
    if len(data) > MAX_FILE_CHARS * 4:  # UTF-8 takes up to 4 bytes a character
        raise MenuFileError(N_("the file is too big; at most {count} dishes per file"),
                            count=MAX_ROWS)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MenuFileError(
            N_("the file is not UTF-8 text; save it as 'CSV UTF-8'")) from None
    if "\x00" in text:
        raise MenuFileError(N_("the file is not a text file; save it as 'CSV UTF-8'"))
    return text


def parse_menu_csv(text: str, restaurant_id: RestaurantId, currency: str) -> MenuImport:
    """Every row of the file checked: drafts to import and rejections with their reasons."""
    if len(text) > MAX_FILE_CHARS:
        raise MenuFileError(N_("the file is too big; at most {count} dishes per file"),
                            count=MAX_ROWS)
    text = text.removeprefix("\ufeff")
    separator = _separator(text)
    decimal_mark = "," if separator in (";", "\t") else "."
    rows = _rows(text, separator)
    _, header = next(rows, (0, []))
    columns = _columns(header)
    drafts: list[MenuDraft] = []
    rejected: list[Rejection] = []
    first_seen: dict[str, int] = {}
    for line, cells in rows:
        try:
            draft = _draft(line, columns, cells, currency, decimal_mark)
            if (earlier := first_seen.setdefault(name_key(draft.name), line)) != line:
                raise InvalidInput("duplicate name '{name}' (also on line {line})",
                                   name=draft.name, line=earlier)
        except InvalidInput as problem:
            rejected.append(Rejection(line, str(problem), problem.template, problem.params))
        else:
            drafts.append(draft)
    return MenuImport(restaurant_id, columns, tuple(drafts), tuple(rejected))


def plan_import(drafts: Iterable[MenuDraft], existing_items: Iterable[MenuItem]) -> ImportPlan:
    """Matches drafts to one restaurant's dishes by name; the lowest id wins a tie."""
    current: dict[str, MenuItem] = {}
    for existing in sorted(existing_items, key=lambda i: i.id):
        current.setdefault(name_key(existing.name), existing)
    if len({item.restaurant_id for item in current.values()}) > 1:
        raise ValueError("existing_items must belong to one restaurant")
    to_add: list[MenuDraft] = []
    to_update: list[MenuItem] = []
    unchanged: list[MenuItem] = []
    for draft in drafts:
        item = current.get(name_key(draft.name))
        if item is None:
            to_add.append(draft)
            continue
        updated = draft.apply_to(item)
        (unchanged if updated == item else to_update).append(updated)
    return ImportPlan(tuple(to_add), tuple(to_update), tuple(unchanged))


def _separator(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    if "," in header:
        return ","
    if ";" in header:
        return ";"
    return "\t" if "\t" in header else ","


def _rows(text: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the line each starts on; the header counts as a row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    end = 0
    count = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > MAX_ROWS + 1:
                raise MenuFileError(N_("the file has more than {count} dishes; split it"),
                                    count=MAX_ROWS)
            yield start, cells
    except csv.Error as error:
        raise MenuFileError(N_("line {line} cannot be read: {error}"), line=end + 1,
                            error=str(error)) from None


def _columns(header: list[str]) -> tuple[str, ...]:
    if not header:
        raise MenuFileError(N_("the file is empty; the first row must name the columns"))
    names = tuple(cell.strip().lower() for cell in header)
    expected = ", ".join(COLUMNS)
    for position, name in enumerate(names, start=1):
        if not name:
            raise MenuFileError(
                N_("column {position} has no name; the columns are: {columns}"),
                position=position, columns=expected)
        if name not in COLUMNS:
            raise MenuFileError(N_("unknown column '{name}'; the columns are: {columns}"),
                                name=name, columns=expected)
        if names.count(name) > 1:
            raise MenuFileError(N_("column '{name}' appears twice"), name=name)
    for name in REQUIRED_COLUMNS:
        if name not in names:
            raise MenuFileError(
                N_("the column '{name}' is missing; the columns are: {columns}"),
                name=name, columns=expected)
    return names


def _draft(
    line: int, columns: tuple[str, ...], cells: list[str], currency: str, decimal_mark: str
) -> MenuDraft:
    if len(cells) > len(columns):
        raise InvalidInput(
            "{values} values but {columns} columns "
            '(put a value holding the separator in "double quotes")',
            values=len(cells), columns=len(columns),
        )
    row = dict(zip(columns, [*cells, *[""] * (len(columns) - len(cells))], strict=True))
    category = row.get("category")
    return MenuDraft(
        line,
        check_length("name", row["name"], MAX_NAME),
        parse_price(row["price"], currency, decimal_mark=decimal_mark),
        category=None if category is None else (
            check_length("category", category, MAX_NAME, required=False) or DEFAULT_CATEGORY
        ),
        description=_optional(row.get("description")),
        available=_available(row.get("available")),
        groups=None if (options := row.get("options")) is None else parse_groups(
            options, currency, decimal_mark=decimal_mark),
    )


def _optional(description: str | None) -> str | None:
    if description is None:
        return None
    return check_length("description", description, MAX_DESCRIPTION, required=False)


def _available(text: str | None) -> bool | None:
    if text is None:
        return None
    word = text.strip().lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise InvalidInput("available '{shown}' must be yes or no", shown=text.strip())
