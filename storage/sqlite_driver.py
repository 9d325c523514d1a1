"""SQLAlchemy's aiosqlite driver with one hand-off to the database thread per statement, and
none where there is nothing to wait for.

aiosqlite runs each sqlite3 call on a thread of its own and hands the answer back to the event
loop. SQLAlchemy's adapter makes one such call for each step of a statement (open a cursor,
execute, fetch, close), each crossing a queue put, a thread wake-up, a GIL hand-over and an
event-loop wake-up. Here the four steps run as one function, on the same thread and sqlite3
connection: what the database sees is unchanged, and the rows come back in one crossing.

The connections of one engine take turns at writing (storage/write_lock.py): a statement that
may write waits for the engine's `WriteLock`, and the turn ends with its transaction. Once a
transaction has written, it holds the file's write lock (in WAL mode nobody blocks it now)
and every other writer of the process waits for it, so its later statements run on the
event loop's thread, in place: a crossing cost about 0.15 ms of CPU and wake-ups, paid by
everybody waiting behind the turn. So does its commit, in WAL mode (it appends to the log
under the lock already held) or in memory; the WAL's checkpoints, which could take long, are
taken out of those commits (storage/wal.py). A turn also takes the writers' lock of the
processes on the file (storage/file_lock.py), and its first write is tried in place with
SQLite told not to wait (busy timeout 0): refused as busy (a process on the file that does
not take that lock), it crosses to wait in SQLite's busy handler on the database thread.
Reads outside a write turn cross, so a long one leaves the loop to the other chats, except
those made within `short_reads()`: the pipeline's lookups of a batch's rows by their keys,
which run in place the same way (in WAL mode SQLite refuses a read only in rare states, such
as another process recovering the file after a crash, and then it crosses to wait).

Passed to `create_async_engine` as `module=` (storage/db.py): URLs stay `sqlite+aiosqlite://`.
"""

from __future__ import annotations

import collections
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import await_

from storage import wal
from storage.write_lock import WriteLock

BUSY_TIMEOUT_MS = 5000  # SQLite's busy_timeout on every connection; the WriteLock's too

logger = logging.getLogger(__name__)

_Outcome = tuple[Any, int, int | None, list[Any]]  # description, rowcount, lastrowid, rows

_SHORT_READS: ContextVar[bool] = ContextVar("short_reads", default=False)


@contextmanager
def short_reads() -> Iterator[None]:
    """Reads made within are short (rows looked up by their keys, as many as a batch holds):
    they run on the event loop's thread instead of crossing to the database thread."""
    token = _SHORT_READS.set(True)
    try:
        yield
    finally:
        _SHORT_READS.reset(token)


def _run(connection: aiosqlite.Connection, operation: str, parameters: Any,
         many: bool) -> _Outcome:
    """On the database thread: a statement from cursor to closed cursor."""
    cursor = connection._conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose every statement is one call on the database thread. Holds no sqlite3
    cursor between calls: what SQLAlchemy reads afterwards (description, rowcount, lastrowid,
    the rows) is kept from the call."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        """Nothing to close: the sqlite3 cursor was closed in the call that used it."""

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._call(operation, parameters, many=False)
        return self

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._call(operation, seq_of_parameters, many=True)
        return self

    async def _call(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: Any = self._connection  # an aiosqlite.Connection
        adapt = cast("OneHopConnection", self._adapt_connection)
        writes = _may_write(operation)
        async with adapt._execute_mutex:
            if writes and not adapt._writing:
                await adapt.dbapi.write_lock.acquire()
                adapt._writing = True
            try:
                outcome: _Outcome
                if adapt._holds_file:  # nothing to wait for: run it here, no crossing
                    outcome = _run(connection, operation, parameters, many)
                elif writes:  # the turn's first write
                    outcome = await adapt._here_unless_busy(operation, parameters, many)
                    # it went through: SQLite gave this transaction the file's lock
                    adapt._holds_file = adapt._transaction() is True
                elif _SHORT_READS.get():
                    outcome = await adapt._here_unless_busy(operation, parameters, many)
                else:  # a read that may be long: it leaves the loop to the others meanwhile
                    outcome = await connection._execute(
                        _run, connection, operation, parameters, many)
            finally:
                adapt._end_turn_if_over()  # e.g. a write that failed outside a transaction
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    def nextset(self) -> None:
        self._rows.clear()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """Skips the crossing for a commit or rollback with no transaction open (the pool rolls
    back every connection given back, most just committed) and for a commit of writes."""

    __slots__ = ("_commits_here", "_holds_file", "_writing")
    _cursor_cls = OneHopCursor
    dbapi: OneHopDbapi

    def __init__(self, dbapi: OneHopDbapi, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._writing = False  # this connection's turn of the engine's WriteLock
        self._holds_file = False  # and its open transaction has written: SQLite's write lock
        self._commits_here: bool | None = None  # known at its first commit of a write

    async def _here_unless_busy(self, operation: str, parameters: Any, many: bool) -> _Outcome:
        """Runs the statement here, on the loop's thread, with SQLite told not to wait; only
        when it refuses at once as busy (another process holds what it needs: nothing was
        done) does the statement cross, to wait on the database thread."""
        connection: Any = self._connection
        raw: sqlite3.Connection = connection._conn
        raw.execute("PRAGMA busy_timeout=0")
        try:
            return _run(connection, operation, parameters, many)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
        finally:
            raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # refused as busy, nothing done: it waits on the database thread
        waited: _Outcome = await connection._execute(_run, connection, operation, parameters,
                                                     many)
        return waited

    def _end_turn(self) -> None:
        self._holds_file = False
        if self._writing:
            self._writing = False
            self.dbapi.write_lock.release()

    def _end_turn_if_over(self) -> None:
        """Ends this connection's turn once it has no transaction open (or is closed)."""
        if self._transaction() is not True:
            self._end_turn()

    def _transaction(self) -> bool | None:
        """Whether SQLite has a transaction open on the connection; None when it is closed.
        (sqlite3 reads it without touching the database; were that ever refused off its
        thread, ask there.)"""
        connection = self._connection._connection
        if connection is None:
            return None
        try:
            return bool(connection.in_transaction)
        except sqlite3.ProgrammingError:
            return None

    def rollback(self) -> None:
        try:
            if self._transaction() is not False:  # open, or closed: sqlite3 says which
                super().rollback()
        finally:
            self._end_turn_if_over()

    def commit(self) -> None:
        try:
            if self._holds_file and self._nothing_to_wait_for():
                try:
                    self._connection._conn.commit()
                except Exception as error:
                    self._handle_exception(error)
                if self.dbapi.checkpoints.due():
                    self._checkpoint()
            elif self._transaction() is not False:
                super().commit()
        finally:
            self._end_turn_if_over()

    def _nothing_to_wait_for(self) -> bool:
        if self._commits_here is None:  # asked once: a connection keeps its journal mode
            self._commits_here = wal.commits_in_place(self._connection._conn)
        return self._commits_here

    def _checkpoint(self) -> None:
        """On this connection's thread, within the turn (storage/wal.py); a failure is logged."""
        try:
            pages = await_(self._connection._execute(
                wal.checkpoint, self._connection._conn, self.dbapi.checkpoints.mode))
        except Exception:
            logger.warning("SQLite: a checkpoint of the WAL failed", exc_info=True)
            pages = None
        self.dbapi.checkpoints.done(pages)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()

    def _terminate_force_close(self) -> None:
        try:
            super()._terminate_force_close()
        finally:
            self._end_turn()

    async def _terminate_graceful_close(self) -> None:
        try:
            await super()._terminate_graceful_close()
        finally:
            self._end_turn()


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI shim SQLAlchemy builds, handing out `OneHopConnection`s."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)
        self.write_lock = WriteLock(BUSY_TIMEOUT_MS / 1000)
        self.checkpoints = wal.Checkpoints()

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        kw["check_same_thread"] = False  # a turn's later statements run on the loop's thread
        connection = super().connect(*arg, **kw)
        self.write_lock.across_processes(connection._connection._conn)
        return OneHopConnection(self, connection._connection)


def _may_write(operation: str) -> bool:
    """Whether a statement may start a write: a SELECT never does, nor does a PRAGMA (every
    new connection sets its own); a WITH may end in one."""
    return operation.lstrip()[:6].upper() not in ("SELECT", "PRAGMA")


def dbapi() -> OneHopDbapi:
    return OneHopDbapi()
