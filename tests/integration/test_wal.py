"""The WAL's checkpoints (storage/wal.py): out of the commits made on the event loop's thread,
on the database thread instead, often enough that the WAL stays small."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import sqlite_driver, wal
from storage.db import make_engine
from tests.integration.test_engine import _crossings

PAGE = 4096  # SQLite's default page size, which the project keeps


async def test_the_wal_is_checkpointed_on_the_database_thread_and_stays_small(
    tmp_path: Path,
) -> None:
    """SQLite's own checkpoints are off on the connections that commit in place, so without
    the driver's the WAL would only grow: 400 commits of three pages or more each write over
    1,200 pages to it. The driver's run on the database thread, the commits themselves never
    cross, and the WAL never holds much more than the pages it is set to checkpoint at."""
    database = tmp_path / "wal.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    engine.dialect.loaded_dbapi.checkpoints = wal.Checkpoints(pages=64)
    calls: list[str] = []
    _crossings(engine, calls)
    largest = 0
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)"))
        for _ in range(400):
            async with engine.begin() as connection:  # a row over two overflow pages
                await connection.execute(text("INSERT INTO t (v) VALUES (randomblob(6000))"))
            largest = max(largest, _size(Path(f"{database}-wal")))
        crossed = list(calls)
        async with engine.connect() as connection:
            stored = await connection.execute(text("SELECT count(*) FROM t"))
            assert stored.scalar_one() == 400
    finally:
        await engine.dispose()
    checkpoints = [call for call in crossed if "checkpoint" in call]
    assert checkpoints == crossed  # no commit crossed
    assert len(checkpoints) >= 1200 / 64 / 2
    assert largest < 3 * 64 * PAGE


async def test_the_wal_stays_small_with_two_processes_writing_in_turn(tmp_path: Path) -> None:
    """Two engines on one file, as two `foodbot run`s. They take turns through the writers'
    lock (storage/file_lock.py) and each checkpoints within its turn, so the other does not
    append meanwhile (158-1,017 pages in five runs). Before that lock it did, the passive
    checkpoints never got to start the WAL again, and it grew to 12,300-12,700 pages over
    these 4,000 commits until a checkpoint that found it that large made the next one a
    RESTART."""
    database = tmp_path / "two.db"
    engines = [make_engine(f"sqlite+aiosqlite:///{database}") for _ in range(2)]
    for engine in engines:
        engine.dialect.loaded_dbapi.checkpoints = wal.Checkpoints(pages=64)
    largest = 0

    async def write(engine: AsyncEngine) -> None:
        nonlocal largest
        for _ in range(2000):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (v) VALUES (randomblob(6000))"))
            largest = max(largest, _size(Path(f"{database}-wal")))

    try:
        async with engines[0].begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)"))
        await asyncio.gather(*(write(engine) for engine in engines))
        async with engines[1].connect() as connection:
            stored = await connection.execute(text("SELECT count(*) FROM t"))
            assert stored.scalar_one() == 4000
    finally:
        for engine in engines:
            await engine.dispose()
    assert largest < 5000 * PAGE


async def test_a_wal_grown_by_a_burst_is_cut_back_to_its_limit_once_started_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The WAL's file keeps the size it grew to unless SQLite is told a limit: a transaction
    of 300 rows of 6 KB leaves it near 2 MB, and the next writer, starting it again after the
    checkpoint, cuts it back to the limit every connection is given."""
    monkeypatch.setattr(wal, "SIZE_LIMIT", 64 * 1024)
    database = tmp_path / "burst.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)"))
        async with engine.begin() as connection:  # the burst; checkpointed as it commits
            for _ in range(300):
                await connection.execute(text("INSERT INTO t (v) VALUES (randomblob(6000))"))
        assert _size(Path(f"{database}-wal")) > 1_500_000
        for _ in range(3):  # on whichever of the pool's connections
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (v) VALUES (randomblob(10))"))
        assert _size(Path(f"{database}-wal")) <= 64 * 1024
        async with engine.connect() as connection:
            stored = await connection.execute(text("SELECT count(*) FROM t"))
            assert stored.scalar_one() == 303
    finally:
        await engine.dispose()


def _size(path: Path) -> int:
    return path.stat().st_size


def test_the_commits_interval_is_learnt_from_the_pages_each_checkpoint_found() -> None:
    checkpoints = wal.Checkpoints(pages=100)
    assert checkpoints.due()  # the first commit: nothing known yet
    checkpoints.done(10)  # 10 pages a commit: the next after 10 commits
    assert [checkpoints.due() for _ in range(10)] == [False] * 9 + [True]
    checkpoints.done(150)  # 15 a commit: after 6
    assert [checkpoints.due() for _ in range(6)] == [False] * 5 + [True]
    checkpoints.done(None)  # failed: tried again after as many
    assert [checkpoints.due() for _ in range(6)] == [False] * 5 + [True]
    assert checkpoints.mode == "PASSIVE"
    checkpoints.done(500)  # over twice the pages asked for: the WAL was not started again
    assert checkpoints.mode == "RESTART"
    assert checkpoints.due() and checkpoints.due()  # tried at every commit until it is
    checkpoints.done(None)  # refused: another process had the file
    assert checkpoints.mode == "RESTART" and checkpoints.due()
    checkpoints.done(30)  # started again
    assert checkpoints.mode == "PASSIVE"
    assert [checkpoints.due() for _ in range(3)] == [False] * 2 + [True]
    seldom = wal.Checkpoints(pages=100_000)
    assert seldom.due()
    seldom.done(1)  # tiny commits: as seldom as allowed
    assert [seldom.due() for _ in range(wal.MOST_COMMITS)] == (
        [False] * (wal.MOST_COMMITS - 1) + [True])


def test_commits_wait_for_nothing_in_wal_mode_and_in_memory_only(tmp_path: Path) -> None:
    logged = sqlite3.connect(tmp_path / "logged.db")
    logged.execute("PRAGMA journal_mode=WAL")
    assert wal.commits_in_place(logged)
    assert logged.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # the driver's own
    assert wal.commits_in_place(sqlite3.connect(":memory:"))
    journal = sqlite3.connect(tmp_path / "journal.db")  # a commit may wait for readers
    assert not wal.commits_in_place(journal)
    assert journal.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # untouched


async def test_a_commit_that_may_wait_crosses_to_the_database_thread(tmp_path: Path) -> None:
    """Outside WAL mode (make_engine always sets it on a file; a file set otherwise by hand)
    a commit needs every reader gone: it waits on its thread, never on the loop's."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'journal.db'}",
                                 module=sqlite_driver.dbapi())
    calls: list[str] = []
    _crossings(engine, calls)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO t DEFAULT VALUES"))
            calls.clear()
        assert len(calls) == 1 and "commit" in calls[0]
        async with engine.connect() as connection:
            stored = await connection.execute(text("SELECT count(*) FROM t"))
            assert stored.scalar_one() == 1
    finally:
        await engine.dispose()
