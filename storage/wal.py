"""When a SQLite file's WAL is copied into the database file (a checkpoint), for the driver
in storage/sqlite_driver.py, which commits a transaction's writes on the event loop's thread.

SQLite checkpoints by itself inside a commit once the WAL holds `wal_autocheckpoint` pages
(1,000): the pages are copied into the database file and it is synced, which would then stop
the loop, and every chat with it, for as long as the disk takes. The driver turns that off
on the connections that commit in place and checkpoints on the committing connection's thread
instead, every so many write commits of the engine, before the commit's turn at writing ends:
nothing of the process appends to the WAL meanwhile, so the checkpoint copies all of it and
the next transaction starts the WAL again from its beginning, which keeps the file's size
bounded. `Checkpoints` learns how many commits to leave between two checkpoints from the
pages each one found, so that the WAL holds about `PAGES` pages when it is copied.

Another process on the file (a second `foodbot run`) takes turns with this one through the
writers' lock (storage/file_lock.py), so it does not append while a checkpoint runs within a
turn; but a process that does not take that lock may, or a reader may hold on to the WAL, and
then nobody starts it again: it grew with every commit of two engines taking turns before
that lock. A checkpoint that finds the WAL over `RESTART_AT` times `PAGES` pages makes the
next ones RESTARTs, which copy everything and have the next writer start the WAL again, until
one gets through. A RESTART needs the file to itself, with no writer and no reader on the WAL; it
is told not to wait for that (SQLite's busy handler would sleep on the database thread while
the other process kept taking the file between its sleeps, and this process's writers waited
behind it): refused at once, it is tried again after the next write commit.
"""

from __future__ import annotations

import sqlite3

# About 16 MB of 4 KB pages; SQLite's own default is 1,000. A checkpoint holds the process's
# writers: on the benchmark's machine about 4 ms of syncs plus 4 ms a 1,000 pages, and with
# 1,000 the pipeline no longer carried 1,500 orders a second (bench/pipeline.py --rate 1500).
PAGES = 4000
MOST_COMMITS = 1000  # between two checkpoints, however small the commits
RESTART_AT = 2  # times PAGES: the WAL was not started again, a RESTART checkpoint next
# The WAL's file keeps the size it grew to: a burst (a bulk import, a long batch) left it at
# 70-140 MB. SQLite cuts it back to this when the next writer starts it again after a
# checkpoint (`journal_size_limit`, set on every connection by storage/db.py): twice what a
# checkpoint is due at, so the file is not cut and grown again in the run of things.
SIZE_LIMIT = 2 * PAGES * 4096  # bytes


class Checkpoints:
    """Counts one engine's write commits and says when the next checkpoint is due."""

    def __init__(self, pages: int = PAGES) -> None:
        self._pages = pages
        self._every = 1  # commits between two checkpoints: learnt from the first one on
        self._commits = 0  # since the last checkpoint
        self.mode = "PASSIVE"  # the next checkpoint's

    def due(self) -> bool:
        """Counts a write commit; true when the WAL should be checkpointed after it."""
        self._commits += 1
        return self._commits >= self._every or self.mode == "RESTART"

    def done(self, pages: int | None) -> None:
        """A checkpoint found `pages` pages in the WAL (None: it failed). Pages another
        process wrote, or that a reader kept from being started again, count too: they call
        for checkpoints sooner."""
        if pages is not None:
            per_commit = max(pages, 1) / self._commits
            self._every = max(1, min(MOST_COMMITS, int(self._pages / per_commit)))
            self.mode = "RESTART" if pages > RESTART_AT * self._pages else "PASSIVE"
        self._commits = 0


def commits_in_place(connection: sqlite3.Connection) -> bool:
    """Whether a commit of the connection's writes can wait for nothing: in WAL mode (SQLite's
    own checkpoints are then turned off on it) or in memory. In the other journal modes a
    commit may wait for readers to finish."""
    mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    if mode == "wal":
        connection.execute("PRAGMA wal_autocheckpoint=0")
    return mode in ("wal", "memory")


def checkpoint(connection: sqlite3.Connection, mode: str) -> int | None:
    """A checkpoint (PASSIVE or RESTART) that waits for nobody; returns the pages the WAL
    held, None when it could not run at all."""
    timeout = connection.execute("PRAGMA busy_timeout").fetchone()[0]
    connection.execute("PRAGMA busy_timeout=0")
    try:
        _busy, pages, _copied = connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    finally:
        connection.execute(f"PRAGMA busy_timeout={int(timeout)}")
    return None if pages < 0 else int(pages)
