"""Engine and session factory for SQLite (aiosqlite, the default) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, event, exc, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_driver, wal

DEFAULT_URL = "sqlite+aiosqlite:///./foodbot.db"
DEFAULT_POOL_SIZE = 20

_SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={sqlite_driver.BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",
)


# At most 5 connections to a SQLite file (SQLAlchemy's default keeps 5), all kept once opened:
# the default closed every connection beyond 5 when it was returned, so a bot handling more
# than 5 updates at once opened several a second, each a new aiosqlite thread, a file open and
# the pragmas (about 2.5 ms CPU each). Each connection is a thread of its own with its own
# malloc arena and SQLite caches, about 0.6 MB resident; 15 of them cost 6 MB idle and 20 MB
# at peak on the chat benchmark, for no more updates a second: one connection writes at a time
# (storage/write_lock.py), and a sixth update waits for a connection where it would otherwise
# wait for the writer's turn. Opened only when needed.
SQLITE_FILE_POOL: dict[str, Any] = {"pool_size": 5, "max_overflow": 0}


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL; None for in-memory databases and other backends."""
    parsed = make_url(url)
    database = parsed.database
    if not is_sqlite(parsed) or not database or database == ":memory:":
        return None
    if database.startswith("file:") or parsed.query.get("mode") == "memory":
        return None
    return Path(database)


def ensure_sqlite_folder(url: str | URL) -> None:
    """Creates the folder of a SQLite database file if it is missing."""
    path = sqlite_file(url)
    if path is not None:
        path.expanduser().parent.mkdir(parents=True, exist_ok=True)


def make_engine(
    url: str, *, echo: bool = False, pool_size: int = DEFAULT_POOL_SIZE, **options: Any
) -> AsyncEngine:
    """An async engine; on SQLite every new connection gets WAL, foreign keys and a busy timeout.

    `pool_size` (PostgreSQL) is the most connections it holds (DATABASE_POOL_SIZE); `options`
    go to `create_async_engine` and override the pool defaults.
    """
    if is_sqlite(url):
        ensure_sqlite_folder(url)
        if sqlite_file(url) is not None:  # in-memory databases keep their one static connection
            options = SQLITE_FILE_POOL | options
        if make_url(url).get_driver_name() == "aiosqlite":
            options = {"module": sqlite_driver.dbapi()} | options
        engine = create_async_engine(url, echo=echo, **options)
        _install_sqlite_pragmas(engine, on_file=sqlite_file(url) is not None)
        return engine
    # PostgreSQL: `pool_size` connections at most, each kept once opened. A connection closed
    # on its return and opened again for the next burst costs a TCP and TLS handshake, a new
    # server process and every statement prepared again: with 20 kept and 10 more opened and
    # closed at peaks, the chat benchmark's instances opened about 400 connections in 20 s.
    pool: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": 0,
        "pool_timeout": 30,
        "pool_recycle": 1800,
    }
    engine = create_async_engine(url, echo=echo, **(pool | options))
    _drop_closed_connections(engine)
    return engine


def _drop_closed_connections(engine: AsyncEngine) -> None:
    """A pooled connection the server closed (a restart, `pg_terminate_backend`) is replaced
    before it is handed out, by asking the driver whether its socket is still open: no round
    trip. SQLAlchemy's `pool_pre_ping` asks the server instead (BEGIN, a query and ROLLBACK
    on asyncpg, for every checkout).
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        closed = getattr(record.driver_connection, "is_closed", None)
        if closed is not None and closed():
            raise exc.DisconnectionError("the server closed this connection")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _install_sqlite_pragmas(engine: AsyncEngine, *, on_file: bool) -> None:
    in_wal = ("PRAGMA journal_mode=WAL", f"PRAGMA journal_size_limit={wal.SIZE_LIMIT}")
    pragmas = (*in_wal, *_SQLITE_PRAGMAS) if on_file else _SQLITE_PRAGMAS

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()
