"""One writer at a time per process on a SQLite file, waiting in line instead of polling.

SQLite lets one connection write at a time. Without this, a connection that wants to write
while another does waits in SQLite's busy handler, which sleeps 1, 2, 5, ... up to 100 ms
between tries: the lock often stands free while every waiter sleeps, and whoever wakes first
wins, not whoever came first. A send the outbox has handed to Telegram then waited up to
350 ms (the bot's own logs, chaos runs) before the database recorded it, and a kill in that
gap is a message sent twice.

Here the connections of one engine take turns in the process instead: a statement that may
write waits for the engine's `WriteLock` before it goes to its connection's thread, and the
turn lasts until that connection's transaction ends (commit, rollback, close), exactly the
span SQLite itself holds its write lock. Turns go in arrival order, except that a write
marked `first_in_line()` (an outbox settlement: what Telegram already has) goes ahead of
every other waiting one. The turn's holder then takes the writers' lock of the processes on
the file (storage/file_lock.py), so other processes wait in line too, in the kernel's. A
wait here gives up after SQLite's busy timeout with SQLite's own error.

The lock counts its turns, the writers that had to wait (for this process's writers or
another process's), and the seconds it was held (waits for another process not counted)
and waited for (`figures()`, on /metrics): held most of the time, the one writer is
what limits the process, and more of its work wants PostgreSQL.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from domain.health import WriterFigures
from storage import file_lock

_FIRST_IN_LINE: ContextVar[bool] = ContextVar("first_in_line", default=False)


@contextmanager
def first_in_line() -> Iterator[None]:
    """Writes made within go ahead of every other waiting writer of their process."""
    token = _FIRST_IN_LINE.set(True)
    try:
        yield
    finally:
        _FIRST_IN_LINE.reset(token)


class WriteLock:
    """A lock handed to its waiters in turn: those first in line, then the rest, each in
    arrival order. `acquire` gives up after `timeout_s` with SQLite's own "database is
    locked" error, so a caller sees what SQLite's busy timeout would have given it.
    `clock` (seconds, monotonic) times its figures."""

    def __init__(self, timeout_s: float, clock: Callable[[], float] = time.perf_counter) -> None:
        self._timeout_s = timeout_s
        self._clock = clock
        self._held = False
        self._first: collections.deque[asyncio.Future[None]] = collections.deque()
        self._rest: collections.deque[asyncio.Future[None]] = collections.deque()
        self._turns = self._waits = 0
        self._held_s = self._waited_s = 0.0
        self._held_since = 0.0
        self._file: file_lock.FileLock | None = None
        self._file_found = False
        self._across_s = 0.0  # of the seconds held, those spent waiting for another process

    def across_processes(self, connection: sqlite3.Connection) -> None:
        """Each turn also takes the writers' lock of the processes on the file `connection`
        has open (storage/file_lock.py); the first connection of the engine finds it."""
        if not self._file_found:
            self._file_found = True
            self._file = file_lock.of(connection)

    @property
    def held(self) -> bool:
        return self._held

    def waiting(self) -> int:
        return sum(not f.done() for f in (*self._first, *self._rest))

    def figures(self) -> WriterFigures:
        held_now = self._clock() - self._held_since if self._held else 0.0
        return WriterFigures(self._turns, self._waits, self._held_s + held_now - self._across_s,
                             self._waited_s)

    async def acquire(self) -> None:
        waited = await self._take()
        if self._file is None:
            return
        came = self._clock()
        try:
            waited_across = await self._file.acquire(self._timeout_s)
        except BaseException as exc:
            self._waited_across(came)
            self._hand_on()
            if isinstance(exc, TimeoutError):
                raise sqlite3.OperationalError("database is locked") from None
            raise
        if waited_across:
            self._waited_across(came)
            self._waits += not waited

    def _waited_across(self, since: float) -> None:
        """Counts a wait for another process: waited, and not held by this one."""
        across = self._clock() - since
        self._across_s += across
        self._waited_s += across

    async def _take(self) -> bool:
        """This process's turn; returns whether it was waited for."""
        if not self._held:  # a free lock has nobody waiting: release hands it on
            self._held = True
            self._held_since = self._clock()
            self._turns += 1
            return False
        line = self._first if _FIRST_IN_LINE.get() else self._rest
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        line.append(turn)
        came = self._clock()
        try:
            async with asyncio.timeout(self._timeout_s):
                await turn
            self._turns += 1
            return True
        except BaseException as exc:
            if turn.done() and not turn.cancelled():  # handed the lock as we gave up: pass it on
                self._hand_on()
            else:
                turn.cancel()
            if isinstance(exc, TimeoutError):
                raise sqlite3.OperationalError("database is locked") from None
            raise
        finally:
            self._waits += 1
            self._waited_s += self._clock() - came

    def release(self) -> None:
        """Hands the lock to the next waiter, or frees it."""
        if self._file is not None:
            self._file.release()
        self._hand_on()

    def _hand_on(self) -> None:
        for line in (self._first, self._rest):
            while line:
                turn = line.popleft()
                if not turn.done():
                    turn.set_result(None)  # still held: now by that waiter
                    return
        self._held = False
        self._held_s += self._clock() - self._held_since
