"""A built-once statement run through the driver, its values converted by us.

However well cached, SQLAlchemy does much at every run of a compiled statement: it builds an
execution context and a parameter dict, renders each expanding IN list into the SQL text
again (a regular-expression pass and a parameter name for every key), type-processes every
value and wraps every row. The pipeline's batches run a dozen such statements each, most of
them UPDATEs and SELECTs of sixty keys at a time, and that work cost about as much as
SQLite's own: Delivered's UPDATE of sixty orders by (id, partner) pairs took 2.6 ms, 1.4 of
them in SQLite (thread CPU, instrumented).

`Plan` does once per statement what does not change between runs: the SQL text cut where
its lists go, the order of its parameters, the conversion each needs (the column types' own
bind and result processors), and its literals' values. A run then renders the list
placeholders (cached by the lists' lengths), lays the values out in order, hands SQL and
values to the driver's cursor (storage.pipeline.cursor), and converts the rows it returns, a
column at a time. What the database sees is what SQLAlchemy would have sent: the same text,
the same values.

SQLite's `?` parameters and asyncpg's numbered `$1, $2...` are laid out this way. On
PostgreSQL a list is one array parameter (storage.sql.in_ids), so its text never changes; a
statement there with an expanding IN (its list renumbering the parameters after it) is not
planned, and runs through the session (storage.pipeline.sql.Prepared). PostgreSQL's result
conversions depend on the type the server returned (a float column's), so they are worked
out from the first result's description.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, Connection, Dialect
from sqlalchemy.sql.sqltypes import TupleType

from storage.pipeline.bulk import column_default
from storage.pipeline.cursor import run_sql

Convert = Callable[[Any], Any]

_LIST = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_POSITIONAL = ("qmark", "numeric_dollar")  # SQLite's ?; asyncpg's $1, $2...


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str
    convert: Convert | None
    literal: Any  # the value of a parameter the statement itself holds; _GIVEN if none
    make: Callable[[], Any] | None  # a column default or onupdate, for a value not given
    width: int  # 0: one value; 1: a list of values; n > 1: a list of n-tuples (a row-value IN)


_GIVEN = object()


class Unplanned(ValueError):
    """The driver cannot be given this statement directly: its parameters are not positional,
    or a list would renumber the parameters after it. It runs through the session instead."""


class Plan:
    """How one compiled statement runs through the driver."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        if dialect.paramstyle not in _POSITIONAL:
            raise Unplanned(f"{dialect.name}: positional parameters only")
        compiled: Any = statement.compile(dialect=dialect)  # an SQLCompiler
        binds = compiled.binds
        defaulted = {c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)}
        self._parameters = [
            _parameter(name, binds[name], dialect,
                       column_default(statement, name) if name in defaulted else None)
            for name in compiled.positiontup or ()
        ]
        self._pieces = _LIST.split(compiled.string)[::2]  # the text between the lists
        listed = [p.name for p in self._parameters if p.width]
        if _LIST.findall(compiled.string) != listed:
            raise ValueError(f"cannot lay out the lists of {compiled.string!r}")
        if listed and dialect.paramstyle != "qmark":  # numbered: a list renumbers the rest
            raise Unplanned(f"{dialect.name}: lists as arrays (storage.sql.in_ids) only")
        self._texts: dict[tuple[int, ...], str] = {}
        self._dialect = dialect
        columns = getattr(statement, "exported_columns", ())
        self._types = [column.type for column in columns]
        self._keys = tuple(columns.keys()) if columns else ()
        self._results: list[Convert | None] | None = None  # from the first result's columns

    def run(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """Runs the statement with these values; returns the driver's cursor."""
        laid_out: list[Any] = []
        lengths: list[int] = []
        for p in self._parameters:
            value = p.literal
            if value is _GIVEN:
                value = values.get(p.name, _GIVEN)
                if value is _GIVEN:
                    if p.make is None:
                        raise KeyError(f"no value for the parameter {p.name!r}")
                    value = p.make()
            if not p.width:
                laid_out.append(p.convert(value) if p.convert and value is not None else value)
                continue
            lengths.append(len(value))
            if p.width > 1:
                value = [part for row in value for part in row]
            laid_out += [p.convert(v) for v in value] if p.convert else value
        return run_sql(connection, self._text(tuple(lengths)), tuple(laid_out))

    def rows(self, result: Any) -> list[tuple[Any, ...]]:
        """The result's rows as tuples, each column converted as its type reads it."""
        raw = result.fetchall()
        results = self._results
        if results is None:
            results = self._results = self._result_processors(result.description)
        if not raw or not any(results):
            return [tuple(row) for row in raw]
        columns = [
            list(column) if convert is None else [None if v is None else convert(v) for v in column]
            for column, convert in zip(zip(*raw, strict=True), results, strict=True)
        ]
        return list(zip(*columns, strict=True))

    def _result_processors(self, description: Any) -> list[Convert | None]:
        """Each column's conversion, as SQLAlchemy works it out: from the column's type and
        the type the driver says it returned (PostgreSQL's numbers depend on it)."""
        dialect = self._dialect
        driver_types = [column[1] for column in description or ()] or [None] * len(self._types)
        return [dialect.type_descriptor(type_).result_processor(dialect, driver_type)
                for type_, driver_type in zip(self._types, driver_types, strict=True)]

    def mappings(self, result: Any) -> list[dict[str, Any]]:
        """The result's rows as mappings of the statement's column keys to their values."""
        keys = self._keys
        return [dict(zip(keys, row, strict=True)) for row in self.rows(result)]

    def _text(self, lengths: tuple[int, ...]) -> str:
        text = self._texts.get(lengths)
        if text is None:
            widths = [p.width for p in self._parameters if p.width]
            lists = [_placeholders(n, w) for n, w in zip(lengths, widths, strict=True)]
            parts = [self._pieces[0]]
            for placeholders, piece in zip(lists, self._pieces[1:], strict=True):
                parts += [placeholders, piece]
            text = self._texts[lengths] = "".join(parts)
        return text


def _parameter(
    name: str, bind: Any, dialect: Dialect, make: Callable[[], Any] | None
) -> _Parameter:
    width = 0
    type_ = bind.type
    if bind.expanding:
        width = len(type_.types) if isinstance(type_, TupleType) else 1
        if width > 1:  # a row-value IN: its parts' types must need no conversion
            if any(dialect.type_descriptor(t).bind_processor(dialect) for t in type_.types):
                raise ValueError(f"{bind.key}: row values that need converting")
            type_ = None
    convert = dialect.type_descriptor(type_).bind_processor(dialect) if type_ else None
    literal = _GIVEN
    if not bind.required and make is None:
        value = bind.effective_value
        literal = convert(value) if convert and value is not None else value
    return _Parameter(name, convert, literal, make, width)


def _placeholders(count: int, width: int) -> str:
    if count == 0:  # as SQLAlchemy renders an empty IN on SQLite: a set that has no rows
        ones = ", ".join(["1"] * width)
        return f"SELECT {ones} FROM (SELECT {ones}) WHERE 1!=1"
    if width == 1:
        return ", ".join(["?"] * count)
    row = "(" + ", ".join(["?"] * width) + ")"
    return "VALUES " + ", ".join([row] * count)
