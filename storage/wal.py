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
"""

from __future__ import annotations

import sqlite3

PAGES = 4000  # about 16 MB of 4 KB pages; SQLite's own default is 1,000
MOST_COMMITS = 1000  # between two checkpoints, however small the commits


class Checkpoints:
    """Counts one engine's write commits and says when the next checkpoint is due."""

    def __init__(self, pages: int = PAGES) -> None:
        self._pages = pages
        self._every = 1  # commits between two checkpoints: learnt from the first one on
        self._commits = 0  # since the last checkpoint

    def due(self) -> bool:
        """Counts a write commit; true when the WAL should be checkpointed after it."""
        self._commits += 1
        return self._commits >= self._every

    def done(self, pages: int | None) -> None:
        """A checkpoint found `pages` pages in the WAL (None: it failed). Pages another
        process wrote, or that a reader kept from being started again, count too: they call
        for checkpoints sooner."""
        if pages is not None:
            per_commit = max(pages, 1) / self._commits
            self._every = max(1, min(MOST_COMMITS, int(self._pages / per_commit)))
        self._commits = 0


def commits_in_place(connection: sqlite3.Connection) -> bool:
    """Whether a commit of the connection's writes can wait for nothing: in WAL mode (SQLite's
    own checkpoints are then turned off on it) or in memory. In the other journal modes a
    commit may wait for readers to finish."""
    mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    if mode == "wal":
        connection.execute("PRAGMA wal_autocheckpoint=0")
    return mode in ("wal", "memory")


def checkpoint(connection: sqlite3.Connection) -> int:
    """A passive checkpoint (it waits for nobody); returns the pages the WAL held."""
    _busy, pages, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(pages)
