"""Telegram's answers written down the moment they arrive (SQLite), so a kill cannot send a
notification twice.

The outbox records a message as sent once Telegram took it (`SqlMessageOutbox.sent`). Until
that commits, a process killed in between leaves the row looking unsent, and after the
restart it goes out again: a duplicate. On SQLite the commit may wait behind another writer
(tens of milliseconds, at worst a few hundred), and a kill in that gap was the only source of
duplicates left in the chaos run. So before it asks the database, a sending process appends
one line for the message to a file of its own beside the database (`<database>-sent/<name>`,
the name its leases carry): a single write(2), which the kernel keeps when the process is
killed (not when the machine loses power: then the database's own record is all there is).

A running process empties its file whenever everything written to it is committed, so the
file stays small. The file of a process that is gone is read by the reaper of whichever
process on this machine notices first (storage.reaping): its messages are recorded as sent,
as the dead process would have done, before its leases are ended; then the file is removed.

Only SQLite needs this: there the database is on this machine and its single write lock is
what a mark waits for; a PostgreSQL commit takes one round trip.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Taken:
    """A message Telegram took: the outbox row, when, and Telegram's id for it (None for an
    edit)."""

    message_id: int
    at: datetime
    telegram_id: int | None

    def line(self) -> bytes:
        telegram_id = "-" if self.telegram_id is None else str(self.telegram_id)
        return f"{self.message_id} {telegram_id} {self.at.isoformat()}\n".encode()


def folder_for(database: Path) -> Path:
    """Where the journals of a SQLite database file are kept: beside it, like its -wal."""
    return database.with_name(f"{database.name}-sent")


class SentJournal:
    """One process's journal (one per outbox): written on every answer, emptied when
    everything in it is in the database, removed when the process stops cleanly."""

    def __init__(self, folder: Path, name: str) -> None:
        self._path = folder / name
        self._fd: int | None = None

    def took(self, taken: Taken) -> None:
        if self._fd is None:  # opened on the first answer: most processes never send
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(self._fd, taken.line())

    def recorded(self) -> None:
        """Everything written so far is in the database."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)

    def close(self) -> None:
        """Stops writing; removes the file when everything in it is in the database
        (`recorded` last), else leaves it to a reaper."""
        if self._fd is None:
            return
        empty = os.fstat(self._fd).st_size == 0
        os.close(self._fd)
        self._fd = None
        if empty:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()


def writers(folder: Path) -> set[str]:
    """The names of the processes with a journal in `folder`."""
    try:
        return {entry.name for entry in os.scandir(folder) if entry.is_file()}
    except FileNotFoundError:
        return set()


def read(folder: Path, name: str) -> list[Taken]:
    """What the journal of `name` holds."""
    try:
        text = (folder / name).read_text(errors="replace")
    except FileNotFoundError:
        return []
    taken = []
    for line in text.split("\n")[:-1]:  # the last is "" or a line the write never finished
        try:
            message_id, telegram_id, at = line.split(" ")
            taken.append(Taken(int(message_id), datetime.fromisoformat(at),
                               None if telegram_id == "-" else int(telegram_id)))
        except ValueError:
            continue
    return taken


def remove(folder: Path, name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (folder / name).unlink()
