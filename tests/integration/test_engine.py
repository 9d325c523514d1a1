"""Engines come configured for the backend: SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import sqlite_driver
from storage.db import is_sqlite, make_engine, sqlite_file
from tests.bot.test_shared_budget import until


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_connections_enforce_foreign_keys_in_wal_mode(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        pragmas = [
            (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
            for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
        ]
    assert pragmas == [1, "wal", 5000, 1]  # synchronous 1 = NORMAL


async def test_a_file_database_gets_its_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "foodbot.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
    assert path.is_file()


def test_urls_tell_sqlite_files_from_memory_and_postgres() -> None:
    assert is_sqlite("sqlite+aiosqlite:///./foodbot.db")
    assert not is_sqlite("postgresql+asyncpg://bot@db/foodbot")
    assert sqlite_file("sqlite+aiosqlite:///./foodbot.db") == Path("foodbot.db")
    assert sqlite_file("sqlite+aiosqlite://") is None
    assert sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_file("postgresql+asyncpg://bot@db/foodbot") is None


# The SQLite driver (storage/sqlite_driver.py): each statement is one call on aiosqlite's
# thread; what SQLAlchemy reads of a statement must be what the stock driver gives.


def _crossings(engine: AsyncEngine, calls: list[str]) -> None:
    """Records every call handed to a connection's database thread."""
    from sqlalchemy import event

    @event.listens_for(engine.sync_engine, "connect")
    def _spy(dbapi_connection: object, _record: object) -> None:
        aio = dbapi_connection._connection  # type: ignore[attr-defined]
        aio._tx = _Counted(aio._tx, calls)  # the thread still reads the queue it was given


class _Counted:
    def __init__(self, queue: Any, calls: list[str]) -> None:
        self._queue, self._calls = queue, calls

    def put_nowait(self, item: tuple[object, object]) -> None:
        self._calls.append(repr(item[1]))
        self._queue.put_nowait(item)


async def test_a_statement_crosses_to_the_database_thread_once(tmp_path: Path) -> None:
    """A read is one crossing; a transaction's writes and their commit run on the event
    loop's thread when no other process holds the file (none): the first write found nothing
    to wait for, after it the transaction holds the file's lock, and in WAL mode its commit
    appends to the log under that lock. Giving the connection back to the pool is none when
    no transaction is open (the pool's rollback), one when one is."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    calls: list[str] = []
    _crossings(engine, calls)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert len(calls) == 1 and "checkpoint" in calls[0]  # the engine's first, see wal.py
        calls.clear()
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES ('b'), ('c')"))
            assert calls == []  # nobody else writes: the first write went through in place
            await connection.execute(text("INSERT INTO t (v) VALUES ('d')"))
            rows = (await connection.execute(text("SELECT v FROM t ORDER BY id"))).all()
            assert calls == []  # this transaction holds the file's write lock
        assert calls == []  # nor the commit; the stock pool rolled back after it too
        assert [row.v for row in rows] == ["a", "b", "c", "d"]
        calls.clear()
        async with engine.connect() as connection:  # a read: nothing to commit or roll back
            await connection.execute(text("SELECT count(*) FROM t"))
            await connection.execute(text("SELECT count(*) FROM t"))
        assert len(calls) == 2  # the stock driver: cursor, execute, fetch, close each
        calls.clear()
        async with engine.connect() as connection:  # a write not committed
            await connection.execute(text("INSERT INTO t (v) VALUES ('e')"))
        assert len(calls) == 1  # the pool rolls it back
        async with engine.connect() as connection:
            left = await connection.execute(text("SELECT v FROM t ORDER BY id"))
            assert left.scalars().all() == ["a", "b", "c", "d"]
    finally:
        await engine.dispose()


async def test_a_write_refused_for_another_processs_lock_leaves_the_next_statements_crossing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first write that finds the file locked by a process that does not take the writers'
    lock (storage/file_lock.py; here a plain sqlite3 connection, as the `sqlite3` shell)
    waits on its thread, not on the event loop's. Only a write that went through gives a
    transaction the file: after one refused there, reads in the same transaction still
    cross, and so does the next write."""
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    calls: list[str] = []
    _crossings(engine, calls)
    monkeypatch.setattr(sqlite_driver, "BUSY_TIMEOUT_MS", 0)  # the thread's wait: refused at once
    shell = sqlite3.connect(path, isolation_level=None)
    try:
        shell.execute("PRAGMA journal_mode=WAL")
        shell.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        shell.execute("BEGIN IMMEDIATE")  # holds the file
        shell.execute("INSERT INTO t (v) VALUES ('a')")
        async with engine.connect() as connection:
            for _ in range(2):
                calls.clear()
                with pytest.raises(OperationalError, match="database is locked"):
                    await connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
                assert len(calls) == 1  # tried in place, refused; then on its thread
                calls.clear()
                await connection.execute(text("SELECT count(*) FROM t"))
                assert len(calls) == 1  # not on the loop's thread
            await connection.rollback()
    finally:
        shell.close()
        await engine.dispose()


async def test_a_first_write_tried_in_place_leaves_the_busy_timeout_as_it_was(
    tmp_path: Path,
) -> None:
    """Whether the write went through, failed, or found the file locked and waited."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'timeout.db'}"
    other, engine = make_engine(url), make_engine(url)

    async def busy_timeout(connection: AsyncConnection) -> int:
        return int((await connection.execute(text("PRAGMA busy_timeout"))).scalar_one())

    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            assert await busy_timeout(connection) == sqlite_driver.BUSY_TIMEOUT_MS
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert await busy_timeout(connection) == sqlite_driver.BUSY_TIMEOUT_MS
            await connection.commit()
            with pytest.raises(OperationalError, match="no such table"):
                await connection.execute(text("INSERT INTO nowhere (v) VALUES ('b')"))
            await connection.rollback()
            assert await busy_timeout(connection) == sqlite_driver.BUSY_TIMEOUT_MS
        async with other.connect() as holder:
            await holder.execute(text("INSERT INTO t (v) VALUES ('c')"))  # holds the file
            async with engine.connect() as connection:
                waiting = asyncio.create_task(
                    connection.execute(text("INSERT INTO t (v) VALUES ('d')")))
                write_lock = engine.dialect.loaded_dbapi.write_lock
                await until(lambda: write_lock.held)  # tried, refused: waiting on its thread
                assert not waiting.done()
                await holder.commit()
                await waiting  # SQLite let it in once the holder committed
                assert await busy_timeout(connection) == sqlite_driver.BUSY_TIMEOUT_MS
                await connection.commit()
        async with engine.connect() as connection:
            left = await connection.execute(text("SELECT v FROM t ORDER BY id"))
            assert left.scalars().all() == ["a", "c", "d"]
    finally:
        await other.dispose()
        await engine.dispose()


async def test_short_reads_run_on_the_loops_thread_unless_sqlite_says_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reads made within `short_reads()` do not cross; others do. One that SQLite refuses in
    place as busy (in WAL mode a read is refused only in rare states: another process
    recovering the file after a crash, or holding it whole; here the refusal is made up)
    waits on its thread instead, and the busy timeout is as it was after both."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'short.db'}")
    calls: list[str] = []
    _crossings(engine, calls)
    count = text("SELECT count(*) FROM t")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        async with engine.connect() as connection:
            calls.clear()
            with sqlite_driver.short_reads():
                assert (await connection.execute(count)).scalar_one() == 1
            assert calls == []  # read here, on the loop's thread
            await connection.execute(count)
            assert len(calls) == 1  # not marked short: it crossed

            loop_thread, run = threading.get_ident(), sqlite_driver._run

            def busy_here(*args: Any) -> Any:
                if threading.get_ident() == loop_thread:
                    refused = sqlite3.OperationalError("database is locked")
                    refused.sqlite_errorcode = sqlite3.SQLITE_BUSY
                    raise refused
                return run(*args)

            monkeypatch.setattr(sqlite_driver, "_run", busy_here)
            calls.clear()
            with sqlite_driver.short_reads():
                assert (await connection.execute(count)).scalar_one() == 1
            assert len(calls) == 1  # refused here: it crossed, and was answered there
            monkeypatch.undo()
            timeout = await connection.execute(text("PRAGMA busy_timeout"))
            assert timeout.scalar_one() == sqlite_driver.BUSY_TIMEOUT_MS
    finally:
        await engine.dispose()


async def test_the_pipelines_reads_do_not_cross(tmp_path: Path) -> None:
    """The order pipeline's transactions (storage.pipeline.store) mark their reads short:
    the orders, offers and partners of a batch, looked up by their keys."""
    from domain.ids import OrderId
    from storage.db import make_sessionmaker
    from storage.migrate import upgrade_to_head
    from storage.pipeline.store import SqlPipelineStore

    url = f"sqlite+aiosqlite:///{tmp_path / 'pipeline.db'}"
    await upgrade_to_head(url)
    engine = make_engine(url)
    calls: list[str] = []
    _crossings(engine, calls)
    try:
        async with SqlPipelineStore(make_sessionmaker(engine)).transaction() as tx:
            assert await tx.orders({OrderId(1), OrderId(2)}) == {}
            assert await tx.offers({OrderId(1)}) == {}
            assert len(await tx.pool(5)) == 0
            assert calls == []
        assert calls == []  # nothing written: nothing to commit
    finally:
        await engine.dispose()


async def test_the_driver_reports_rows_counts_and_ids_and_raises_as_sqlalchemy_expects(
    tmp_path: Path,
) -> None:
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert, update
    from sqlalchemy.exc import IntegrityError

    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("v", String, unique=True))
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'rows.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(table.metadata.create_all)
            first = await connection.execute(insert(table).values(v="a"))
            assert first.inserted_primary_key == (1,)  # lastrowid
            await connection.execute(insert(table), [{"v": "b"}, {"v": "c"}])  # executemany
            moved = await connection.execute(update(table).where(table.c.id > 1).values(v=None))
            assert moved.rowcount == 2
            returned = await connection.execute(
                update(table).where(table.c.id == 1).values(v="z").returning(table.c.id))
            assert returned.scalars().all() == [1]
            empty = await connection.execute(text("SELECT v FROM t WHERE id = 99"))
            assert empty.first() is None
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(insert(table).values(v="z"))
        with pytest.raises(IntegrityError):  # raised on the loop's thread, as on the other
            async with engine.begin() as connection:
                await connection.execute(insert(table).values(v="y"))
                await connection.execute(insert(table).values(v="z"))
        async with engine.begin() as connection:  # and the file's write lock was given back
            await connection.execute(insert(table).values(v="x"))
            await connection.execute(table.delete().where(table.c.v == "x"))
        async with engine.connect() as connection:  # the failed transactions left nothing
            count = await connection.execute(text("SELECT count(*) FROM t"))
            assert count.scalar_one() == 3
    finally:
        await engine.dispose()


class Counted:
    """An engine's pool, watched: connections opened so far, and rounds of transactions that
    each hold their connection until `at_once` of them hold one."""

    def __init__(self, engine: AsyncEngine) -> None:
        from sqlalchemy import event

        self.engine, self.opened = engine, 0
        event.listen(engine.sync_engine, "connect", self._connected)

    def _connected(self, _connection: object, _record: object) -> None:
        self.opened += 1

    async def __aenter__(self) -> Counted:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.engine.dispose()

    async def round(self, transactions: int, at_once: int) -> int:
        """Runs `transactions` at once; returns the most that held a connection together."""
        import asyncio

        all_in = asyncio.Event()
        inside = most = 0

        async def hold() -> None:
            nonlocal inside, most
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                inside += 1
                most = max(most, inside)
                if inside == at_once:
                    all_in.set()
                await asyncio.wait_for(all_in.wait(), timeout=30)
                inside -= 1

        await asyncio.gather(*(hold() for _ in range(transactions)))
        return most


async def test_a_sqlite_file_keeps_at_most_five_connections_instead_of_reopening_them(
    tmp_path: Path,
) -> None:
    """Five transactions at once open five connections; then twelve at once, twice, take turns
    on those five (SQLAlchemy's default kept 5 and opened the other 7 again each round; 15
    kept cost 6 MB of idle RSS, README "Memory")."""
    async with Counted(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}")) as pool:
        await pool.round(5, at_once=5)
        assert pool.opened == 5
        for _ in range(2):
            most = await pool.round(12, at_once=5)  # the first five wait for five
            assert (pool.opened, most) == (5, 5)


@pytest.mark.postgres
async def test_postgres_keeps_its_pool_size_of_connections_and_never_opens_more(
    postgres_server: Any,
) -> None:
    """DATABASE_POOL_SIZE connections at most, each kept: eight transactions at once take
    turns on three, twice over, and no connection is closed and opened again (before, 10
    were kept and up to 20 more opened and closed around every burst: about 400 connections
    in 20 s of the chat benchmark)."""
    async with Counted(make_engine(postgres_server.url, pool_size=3)) as pool:
        for _ in range(2):
            most = await pool.round(8, at_once=3)
            assert (pool.opened, most) == (3, 3)


@pytest.mark.postgres
async def test_a_connection_the_server_closed_is_replaced_before_it_is_used(
    postgres_server: Any,
) -> None:
    """A server restart (here `pg_terminate_backend`) closes the pooled connections; the next
    transaction gets a new one instead of failing, without a ping per checkout."""
    import asyncio

    engine = make_engine(postgres_server.url, pool_size=1)
    try:
        async with engine.connect() as connection:
            first = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            driver = (await connection.get_raw_connection()).driver_connection
            closed = asyncio.Event()
            driver.add_termination_listener(lambda _connection: closed.set())
        async with engine.connect() as other:  # pool_size 1: the same connection, idle
            assert (await other.execute(text("SELECT pg_backend_pid()"))).scalar_one() == first
        killer = make_engine(postgres_server.url, pool_size=1)
        try:
            async with killer.connect() as connection:
                await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        finally:
            await killer.dispose()
        # the driver reads the server's goodbye on its socket
        await asyncio.wait_for(closed.wait(), timeout=30)
        assert driver.is_closed()
        async with engine.connect() as connection:
            again = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert again != first
    finally:
        await engine.dispose()
