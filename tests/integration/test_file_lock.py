"""The processes on one SQLite file take turns at writing through a lock beside it
(storage/file_lock.py): a write turn holds it, the end of the turn lets go of it, a writer
of another process waits for it without stopping its event loop and goes on the moment it is
free, a wait gives up after the busy timeout with SQLite's own error, and a holder that dies
lets go with it. Two engines on one file stand for two processes (the kernel keeps their
locks apart as it does two processes'); one test uses a real second process."""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine
from storage.file_lock import FileLock
from storage.write_lock import WriteLock
from tests.bot.test_shared_budget import until
from tests.integration import test_write_lock
from tests.integration.test_write_lock import insert, lock_of, written

WAIT_S = 20.0


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "turns.db"  # where test_write_lock's `engine` makes its table t


engine = test_write_lock.engine  # the same fixture


@contextmanager
def description(path: Path) -> Iterator[int]:
    """An open file description of its own: to the kernel, another process's."""
    fd = os.open(path, os.O_RDWR)
    try:
        yield fd
    finally:
        os.close(fd)


def free(path: Path) -> bool:
    """Whether nobody holds the writers' lock `path` (tried, and let go at once)."""
    with description(path) as fd:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def writers_lock(database: Path) -> Path:
    return Path(f"{database}-writer")


async def test_a_write_turn_holds_the_files_writers_lock_until_its_transaction_ends(
    engine: AsyncEngine, database: Path,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("SELECT count(*) FROM t"))
        assert free(writers_lock(database))  # reading takes no turn
        await connection.execute(text("INSERT INTO t (v) VALUES ('committed')"))
        assert not free(writers_lock(database))
    assert free(writers_lock(database))
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('rolled back')"))
        assert not free(writers_lock(database))
        await connection.rollback()
        assert free(writers_lock(database))
    assert await written(engine) == ["committed"]
    figures = lock_of(engine).figures()
    assert (figures.waits, figures.waited_s) == (0, 0.0)  # the lock free: nobody waited


async def test_a_writer_of_another_process_waits_for_the_lock_and_goes_once_it_is_free(
    engine: AsyncEngine, database: Path,
) -> None:
    other = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as holder:
            await holder.execute(text("INSERT INTO t (v) VALUES ('first')"))
            waiting = asyncio.create_task(insert(other, "second"))
            await until(lambda: lock_of(other).held)  # its process's turn: at the file now
            for n in range(3):  # the loop stays free for this process meanwhile
                await holder.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"m{n}"})
            assert not waiting.done()
        async with asyncio.timeout(WAIT_S):
            await waiting
        assert await written(engine) == ["first", "m0", "m1", "m2", "second"]
        figures = lock_of(other).figures()
        assert (figures.turns, figures.waits) == (1, 1)  # it waited, for the other process
        assert figures.waited_s > 0
        assert free(writers_lock(database))
    finally:
        await other.dispose()


async def test_a_wait_for_another_process_gives_up_after_the_timeout_and_then_lets_go(
    database: Path,
) -> None:
    lock = FileLock(str(writers_lock(database)))
    with description(writers_lock(database)) as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(TimeoutError):
            await lock.acquire(timeout_s=0.05)
        fcntl.flock(other, fcntl.LOCK_UN)  # the wait given up takes it, and lets go at once
        await until(lambda: free(writers_lock(database)))
    assert await lock.acquire(timeout_s=WAIT_S) is False  # free: taken without waiting
    assert not free(writers_lock(database))
    lock.release()
    assert free(writers_lock(database))


async def test_a_turn_that_waited_too_long_for_another_process_gives_up_with_sqlites_error(
    database: Path,
) -> None:
    lock = WriteLock(timeout_s=0.05)
    with closing(sqlite3.connect(database)) as connection:
        lock.across_processes(connection)
    with description(writers_lock(database)) as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            await lock.acquire()
        assert not lock.held  # its process's turn passed on
    await until(lambda: free(writers_lock(database)))
    await lock.acquire()
    assert lock.held and not free(writers_lock(database))
    lock.release()
    assert free(writers_lock(database))


async def test_the_lock_of_a_process_that_dies_holding_it_is_free_again(database: Path) -> None:
    path = writers_lock(database)
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import fcntl, os, time\n"
        f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(600)\n",
        stdout=asyncio.subprocess.PIPE)
    try:
        assert holder.stdout is not None
        async with asyncio.timeout(WAIT_S):
            assert await holder.stdout.readline() == b"held\n"
        lock = FileLock(str(path))
        asyncio.get_running_loop().call_soon(holder.kill)  # once the lock is waited for
        async with asyncio.timeout(WAIT_S):
            assert await lock.acquire(timeout_s=WAIT_S) is True  # waited; the kernel let go
        assert not free(path)
        lock.release()
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.wait()


async def test_a_database_in_memory_has_no_writers_lock() -> None:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (v TEXT)"))
            await connection.execute(text("INSERT INTO t VALUES ('x')"))
        assert lock_of(engine)._file is None
    finally:
        await engine.dispose()
