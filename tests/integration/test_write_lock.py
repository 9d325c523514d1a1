"""One writer at a time per process on a SQLite file (storage/write_lock.py): writers wait in
line in the process, in arrival order, an outbox settlement ahead of the rest; readers never
wait; a wait gives up after the busy timeout with SQLite's own error."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.health import WriterFigures
from storage.db import make_engine, make_sessionmaker
from storage.ops import SqlOpsReader
from storage.write_lock import WriteLock, first_in_line
from tests.bot.test_shared_budget import until

WAIT_S = 20.0


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    try:
        yield engine
    finally:
        await engine.dispose()


def lock_of(engine: AsyncEngine) -> WriteLock:
    lock: WriteLock = engine.dialect.loaded_dbapi.write_lock
    return lock


async def insert(engine: AsyncEngine, value: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})


async def written(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(text("SELECT v FROM t ORDER BY id"))).scalars())


async def test_writers_take_turns_in_the_order_they_came(engine: AsyncEngine) -> None:
    lock = lock_of(engine)
    async with engine.begin() as holder:
        await holder.execute(text("INSERT INTO t (v) VALUES ('first')"))
        waiting = []
        for n in range(4):  # each queued before the next comes; with the holder, the pool's 5
            waiting.append(asyncio.create_task(insert(engine, f"w{n}")))
            await until(lambda n=n: lock.waiting() == n + 1)
    await asyncio.gather(*waiting)
    assert await written(engine) == ["first", "w0", "w1", "w2", "w3"]
    assert not lock.held


async def test_a_settlement_goes_ahead_of_writers_already_waiting(engine: AsyncEngine) -> None:
    lock = lock_of(engine)

    async def settle() -> None:
        with first_in_line():
            await insert(engine, "sent")

    async with engine.begin() as holder:
        await holder.execute(text("INSERT INTO t (v) VALUES ('first')"))
        handler = asyncio.create_task(insert(engine, "handler"))
        await until(lambda: lock.waiting() == 1)
        sender = asyncio.create_task(settle())
        await until(lambda: lock.waiting() == 2)
    await asyncio.gather(handler, sender)
    assert await written(engine) == ["first", "sent", "handler"]


async def test_readers_do_not_wait_for_a_writer(engine: AsyncEngine) -> None:
    async with engine.begin() as holder:
        await holder.execute(text("INSERT INTO t (v) VALUES ('uncommitted')"))
        async with asyncio.timeout(WAIT_S):
            assert await written(engine) == []  # the lock holder keeps its turn meanwhile
        assert lock_of(engine).waiting() == 0


async def test_a_write_waiting_for_another_process_leaves_the_event_loop_free(
    engine: AsyncEngine, tmp_path: Path,
) -> None:
    """A transaction's later statements run on the loop's thread (it holds the file: nothing
    to wait for), but its first write waits for SQLite's lock on its own thread, so a write
    waiting for another process does not stop the loop. Two engines on one file stand for
    two processes: each has its own WriteLock, and the file's writers' lock
    (storage/file_lock.py) makes them take turns."""
    other = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    try:
        async with engine.begin() as holder:
            await holder.execute(text("INSERT INTO t (v) VALUES ('first')"))  # holds the file
            waiting = asyncio.create_task(insert(other, "second"))
            await until(lambda: lock_of(other).held)  # its turn in its process: at SQLite now
            await holder.execute(text("INSERT INTO t (v) VALUES ('meanwhile')"))  # loop free
            assert not waiting.done()
        async with asyncio.timeout(WAIT_S):
            await waiting  # let in once the holder committed
        assert await written(engine) == ["first", "meanwhile", "second"]
    finally:
        await other.dispose()


async def test_a_failed_write_ends_its_turn(engine: AsyncEngine) -> None:
    await insert(engine, "a")
    with pytest.raises(IntegrityError):
        await insert(engine, "a")
    assert not lock_of(engine).held
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert lock_of(engine).held  # SQLite keeps the transaction open until rolled back
    assert not lock_of(engine).held
    await insert(engine, "b")
    assert await written(engine) == ["a", "b"]


async def test_a_connection_closed_mid_transaction_ends_its_turn(engine: AsyncEngine) -> None:
    lock = lock_of(engine)
    connection = await engine.connect()
    await connection.execute(text("INSERT INTO t (v) VALUES ('lost')"))
    assert lock.held
    await connection.invalidate()
    await connection.close()
    assert not lock.held
    await insert(engine, "next")
    assert await written(engine) == ["next"]


async def test_a_wait_gives_up_after_the_busy_timeout_with_sqlites_error() -> None:
    lock = WriteLock(timeout_s=0.05)
    await lock.acquire()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        await lock.acquire()
    assert lock.waiting() == 0
    lock.release()
    async with asyncio.timeout(WAIT_S):
        await lock.acquire()  # free again, at once
    assert lock.held


async def test_a_waiter_cancelled_as_its_turn_comes_passes_the_turn_on() -> None:
    lock = WriteLock(timeout_s=WAIT_S)
    await lock.acquire()
    first = asyncio.create_task(lock.acquire())
    second = asyncio.create_task(lock.acquire())
    await until(lambda: lock.waiting() == 2)
    lock.release()  # handed to `first`, which is cancelled before it runs
    first.cancel()
    await second
    assert first.cancelled() and lock.held
    lock.release()
    assert not lock.held


async def test_the_lock_counts_its_turns_the_waits_and_the_seconds_held_and_waited() -> None:
    now = [0.0]
    lock = WriteLock(timeout_s=WAIT_S, clock=lambda: now[0])
    await lock.acquire()  # at 0, free: a turn without a wait
    now[0] = 1.0
    waiter = asyncio.create_task(lock.acquire())  # comes at 1, waits
    await until(lambda: lock.waiting() == 1)
    now[0] = 3.0
    assert lock.figures() == WriterFigures(turns=1, waits=0, held_s=3.0, waited_s=0.0)
    lock.release()  # handed on at 3: held throughout
    await waiter
    now[0] = 4.0
    lock.release()  # free at 4
    now[0] = 10.0  # free time is not counted

    assert lock.figures() == WriterFigures(turns=2, waits=1, held_s=4.0, waited_s=2.0)


async def test_the_writers_turns_of_a_sqlite_engine_are_read_for_the_metrics(
    engine: AsyncEngine,
) -> None:
    reader = SqlOpsReader(make_sessionmaker(engine))
    before = reader.writer()
    assert before is not None

    await insert(engine, "counted")
    await written(engine)  # a read takes no turn

    after = reader.writer()
    assert after is not None and after.turns == before.turns + 1
    assert after.held_s > before.held_s
