"""The processes on one SQLite file take turns at writing in the kernel's line, not by polling.

Within a process the writers wait for its `WriteLock` (storage/write_lock.py). Across
processes only SQLite kept them apart: a write refused as busy waited in SQLite's busy
handler, which sleeps 1, 2, 5, ... up to 100 ms between tries, so the file's lock often
stood free while the other process slept. With two instances on one file each spent most of
its time so (`bench/pipeline.py --processes 2`: the event loop 53 % busy, turns of 14 ms
against 3.4 ms alone), and two processes carried no more than one.

Here the holder of a process's turn also holds an exclusive `flock` on a file beside the
database (`<database>-writer`), taken before its first write and let go as its turn ends: a
process that finds it taken waits on a thread of its own, blocked in the kernel, and is
woken the moment the holder lets go (or dies: the kernel lets go for it). SQLite's own lock
is still there under it, for a process that does not take this one (the `sqlite3` shell).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
import weakref

logger = logging.getLogger(__name__)


class FileLock:
    """An exclusive `flock` on `path`, for one holder at a time in this process (the
    `WriteLock`'s turn): taken at once when free, else waited for on a thread, for at most
    `timeout_s`. The thread is a daemon: a wait given up never holds the process open."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = _open(path)
        self._holding: int | None = None  # the description that holds it: ours, or a wait's
        weakref.finalize(self, os.close, self._fd)

    async def acquire(self, timeout_s: float) -> bool:
        """Takes the lock; returns whether another process held it (it was waited for)."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._holding = await self._wait(timeout_s)
            return True
        self._holding = self._fd
        return False

    async def _wait(self, timeout_s: float) -> int:
        """Waits on a thread, with a description of the file of its own: a wait given up
        lets go of that one only, whenever the kernel hands it over."""
        wait = _Wait(_open(self.path), asyncio.get_running_loop())
        threading.Thread(target=wait.run, name="sqlite-writer-lock", daemon=True).start()
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.shield(wait.taken)
        except BaseException:
            if not wait.give_up():  # taken just as we gave up: let go again
                os.close(wait.fd)
            raise
        return wait.fd

    def release(self) -> None:
        fd, self._holding = self._holding, None
        if fd == self._fd:
            fcntl.flock(fd, fcntl.LOCK_UN)
        elif fd is not None:
            os.close(fd)  # a wait's own description: closing it lets go of its lock


class _Wait:
    """One wait on the lock's thread; given up (timed out, cancelled), the lock is let go as
    soon as the kernel hands it over."""

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop) -> None:
        self.fd = fd
        self._loop = loop
        self.taken: asyncio.Future[None] = loop.create_future()
        self._mutex = threading.Lock()
        self._given_up = self._taken = False

    def run(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError as exc:
            os.close(self.fd)
            self._tell(exc)
            return
        with self._mutex:
            if self._given_up:
                os.close(self.fd)
                return
            self._taken = True
        self._tell(None)

    def _tell(self, error: OSError | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            self._loop.call_soon_threadsafe(self._settle, error)

    def _settle(self, error: OSError | None) -> None:
        if self.taken.done() or self._given_up:
            return
        if error is None:
            self.taken.set_result(None)
        else:
            self.taken.set_exception(error)

    def give_up(self) -> bool:
        """Whether the wait was given up before it took the lock (else the lock is held)."""
        with self._mutex:
            self._given_up = not self._taken
            return self._given_up


def _open(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def of(connection: sqlite3.Connection) -> FileLock | None:
    """The writers' lock of the file `connection` has open; None for a database in memory,
    or when the lock's file cannot be made (a read-only folder: logged)."""
    database = connection.execute("PRAGMA database_list").fetchone()[2]
    if not database:
        return None
    try:
        return FileLock(f"{database}-writer")
    except OSError as exc:
        logger.warning("SQLite: no writers' lock beside %s (%s); other processes on the file "
                       "wait in SQLite's busy handler", database, exc)
        return None
