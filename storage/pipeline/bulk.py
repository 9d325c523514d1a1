"""Many rows in one statement, for the pipeline's hot paths.

SQLAlchemy's executemany builds and type-processes a parameter dict per row (about 10 µs a
row here, mostly datetimes and JSON). The worker writes some twenty rows per order, so its
event, outbox, offer, progress and task rows go through `Bulk` instead: the statement is
compiled once per dialect, and each row becomes a tuple whose values are converted as the
column types would convert them (storage.types.UTCDateTime, JSON, Boolean on SQLite), a
repeated timestamp once. Column defaults and onupdate values the rows leave out are
computed once per call.

On SQLite the rows go to the driver's executemany. On PostgreSQL each parameter becomes an
array and the statement reads its rows from `unnest(...)`: one statement executed once
instead of once per row (INSERT ... SELECT * FROM unnest(...); UPDATE ... FROM unnest(...)).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import JSON, Boolean, Column, Dialect, Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert, Update

from storage.pipeline.cursor import run_sql
from storage.types import UTCDateTime, sqlite_text, utc

Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Slot:
    name: str
    convert: Convert | None
    times: bool  # a time column: a batch holds a few distinct ones, each converted once
    value: Any  # used when a row leaves the parameter out
    make: Callable[[], Any] | None  # a column default or onupdate, called once per run


Statement = Insert | Update


class Bulk:
    """An INSERT or UPDATE run for many rows: mappings of its parameter names to values.

    `statement` may be a function of the dialect's name, for dialect-specific statements
    such as INSERT ... ON CONFLICT.
    """

    def __init__(
        self, statement: Statement | Callable[[str], Statement], keys: Sequence[str] | None = None
    ) -> None:
        self._make = statement if callable(statement) else (lambda _: statement)
        self._keys = list(keys) if keys is not None else None
        self._compiled: dict[str, tuple[str, list[_Slot]]] = {}
        self._many: dict[int, str] = {}  # SQLite's multi-row INSERT texts, by rows

    async def run(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            await session.run_sync(self._run, rows)

    async def returning(
        self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]
    ) -> list[Any]:
        """Runs an INSERT ... RETURNING for these rows; the rows it returns, their values as
        the driver gives them (keys, counts: nothing converted back). One statement on
        PostgreSQL; on SQLite one multi-row VALUES a chunk of rows at a time (executemany
        returns no rows), its text built once for each chunk's size."""
        return cast(list[Any], await session.run_sync(self._returning, rows)) if rows else []

    # Both run in SQLAlchemy's greenlet (`run_sync`), as `session.execute` itself does: the
    # connection and the statement's run cross into it once, not once each.
    def _run(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        connection = session.connection()
        sql, columns = self._columns(connection.dialect, rows)
        if connection.dialect.name == "postgresql":
            run_sql(connection, sql, tuple(columns))
        else:
            run_sql(connection, sql, list(zip(*columns, strict=True)), many=True)

    def _returning(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        connection = session.connection()
        sql, columns = self._columns(connection.dialect, rows)
        if connection.dialect.name == "postgresql":
            return list(run_sql(connection, sql, tuple(columns)).fetchall())
        returned: list[Any] = []
        laid_out = list(zip(*columns, strict=True))
        for start in range(0, len(laid_out), _CHUNK):
            chunk = laid_out[start:start + _CHUNK]
            text = self._many.get(len(chunk))
            if text is None:
                text = self._many[len(chunk)] = _many_values(sql, len(chunk))
            values = tuple(value for row in chunk for value in row)
            returned += run_sql(connection, text, values).fetchall()
        return returned

    def _columns(
        self, dialect: Dialect, rows: Sequence[Mapping[str, Any]]
    ) -> tuple[str, list[list[Any]]]:
        """The statement's text, and each of its parameters' values for every row."""
        sql, slots = self._for(dialect)
        memo: dict[Any, Any] = {}  # times converted, shared by the time columns
        return sql, [_column(rows, s, memo) for s in slots]

    def _for(self, dialect: Dialect) -> tuple[str, list[_Slot]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            statement = self._make(dialect.name)
            compiled = statement.compile(dialect=dialect, column_keys=self._keys)
            names = getattr(compiled, "positiontup", None)
            if not names:
                raise ValueError(f"{dialect.name}: no positional parameters to run in bulk")
            binds = getattr(compiled, "binds")  # noqa: B009 - SQLCompiler, not Compiled
            slots = [_slot(statement, name, binds[name], dialect) for name in names]
            sql = str(compiled)
            if dialect.name == "postgresql":
                sql = _from_arrays(sql, len(names), isinstance(statement, Update))
            found = self._compiled[dialect.name] = (sql, slots)
        return found


def _slot(statement: Statement, name: str, bind: Any, dialect: Dialect) -> _Slot:
    convert = _converter(bind.type, dialect)
    value = None if bind.required else bind.effective_value
    if value is not None and convert is not None:
        value = convert(value)
    times = isinstance(bind.type, UTCDateTime)
    return _Slot(name, convert, times, value, column_default(statement, name))


def column_default(statement: Any, name: str) -> Callable[[], Any] | None:
    """The default (INSERT) or onupdate value (UPDATE) of the column `name` names, if the
    statement leaves it to one: a function giving it at each run."""
    if not isinstance(statement, Insert | Update):
        return None
    table = statement.table
    if not isinstance(table, Table) or name not in table.c:
        return None
    column: Column[Any] = table.c[name]
    default: Any = column.onupdate if isinstance(statement, Update) else column.default
    if getattr(default, "is_scalar", False):
        return lambda: default.arg
    if getattr(default, "is_callable", False):
        return lambda: default.arg(None)  # SQLAlchemy wraps them to take a context
    return None


_PARAM = re.compile(r"\$(\d+)::(TIMESTAMP WITH(?:OUT)? TIME ZONE|[A-Z][A-Z0-9_ ]*?[A-Z0-9_])"
                    r"(?=[,)\s]|$)")


def _from_arrays(sql: str, count: int, update: bool) -> str:
    """Rewrites asyncpg's `$n::TYPE` parameters to come from `unnest($n::TYPE[], ...)`."""
    types: dict[int, str] = {}
    for match in _PARAM.finditer(sql):
        types.setdefault(int(match[1]), match[2])
    if sorted(types) != list(range(1, count + 1)):
        raise ValueError(f"cannot read the parameters of {sql!r}")
    arrays = ", ".join(f"${n}::{types[n]}[]" for n in range(1, count + 1))
    if update:
        head, where, tail = _PARAM.sub(lambda m: f"_rows.p{m[1]}", sql).partition(" WHERE ")
        names = ", ".join(f"p{n}" for n in range(1, count + 1))
        return f"{head} FROM unnest({arrays}) AS _rows({names}){where}{tail}"
    start, end = _values(sql)
    return f"{sql[:start]} SELECT * FROM unnest({arrays}){sql[end:]}"


_CHUNK = 500  # rows of a multi-row INSERT on SQLite: well within its 32,766 parameters


def _many_values(sql: str, count: int) -> str:
    """An INSERT of one row of values made an INSERT of `count` rows."""
    start, end = _values(sql)
    row = sql[start + len(" VALUES "):end]
    return f"{sql[:start]} VALUES {', '.join([row] * count)}{sql[end:]}"


def _values(sql: str) -> tuple[int, int]:
    """Where an INSERT's ` VALUES (...)` starts and ends in its text."""
    start = sql.index(" VALUES (")
    depth = 0
    for end in range(start + len(" VALUES "), len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            return start, end + 1
    raise ValueError(f"cannot find the VALUES of {sql!r}")


def _converter(type_: Any, dialect: Dialect) -> Convert | None:
    if isinstance(type_, UTCDateTime):
        return sqlite_text if dialect.name == "sqlite" else utc
    if isinstance(type_, JSON):
        return json.dumps
    if isinstance(type_, Boolean) and dialect.name == "sqlite":
        return int
    return None


def _column(rows: Sequence[Mapping[str, Any]], slot: _Slot, memo: dict[Any, Any]) -> list[Any]:
    """One parameter's values for every row, converted: a column at a time, so the common
    cases (every row names it; nothing to convert; times, each converted once) take no
    Python function call per value."""
    name, convert = slot.name, slot.convert
    try:
        values = list(map(itemgetter(name), rows))
    except KeyError:  # rows that leave it to its default or onupdate
        fill = _convert(slot.make(), convert, memo) if slot.make is not None else slot.value
        return [_convert(row[name], convert, memo) if name in row else fill for row in rows]
    if convert is None:
        return values
    if slot.times:
        for value in set(values).difference(memo):
            memo[value] = None if value is None else convert(value)
        return list(map(memo.__getitem__, values))
    return [None if value is None else convert(value) for value in values]


def _convert(value: Any, convert: Convert | None, memo: dict[Any, Any]) -> Any:
    if convert is None or value is None:
        return value
    if isinstance(value, datetime):
        done = memo.get(value)
        if done is None:
            done = memo[value] = convert(value)
        return done
    return convert(value)

