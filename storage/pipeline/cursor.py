"""A statement's SQL and values handed to the driver's cursor: what `exec_driver_sql` does,
less what it builds around every run.

`exec_driver_sql` builds an execution context and a result object for every statement; for
the pipeline's short statements that was half of what a statement cost the event loop's
thread beyond SQLite's own work (a read of twenty keys: 101 µs through it, 53 µs through the
cursor, on a busy machine). Here the cursor runs it directly. The engine's
`before_cursor_execute` listeners still hear of each statement, and a driver's error is
raised as SQLAlchemy raises it (a `DBAPIError`: IntegrityError, OperationalError...), through
the connection's own error handling, which also drops a connection the server closed from the
pool; the callers and the store's error handling see no difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def run_sql(connection: Connection, sql: str, values: Sequence[Any], *, many: bool = False
            ) -> Any:
    """Runs `sql` with `values` (a sequence of them when `many`); returns the cursor, whose
    rows, description and rowcount are read as a DBAPI cursor's."""
    cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    if connection._has_events or connection.engine._has_events:
        for listener in connection.dispatch.before_cursor_execute:
            sql, values = listener(connection, cursor, sql, values, None, many)
    try:
        if many:
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values)
    except BaseException as exc:  # as session.execute handles it: the error wrapped, the
        # connection dropped where the server went away (or a cancellation cut it off midway)
        connection._handle_dbapi_exception(exc, sql, values, cursor, None)
    return cursor
