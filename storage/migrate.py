"""Schema migrations from code: no alembic.ini needed, any working directory, any event loop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, pool, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.db import ensure_sqlite_folder, is_sqlite

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x466F6F64  # "Food": the advisory lock migrators take on PostgreSQL


def alembic_config(url: str) -> Config:
    """An Alembic config for `url`, pointing at this package's migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates '%': escape it (URL-encoded passwords contain it)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def upgrade_to_head(url: str) -> None:
    """Brings the database at `url` to the newest schema; a no-op when it is there already.

    Safe to call from inside a running event loop: Alembic runs on our own connection
    through `run_sync` instead of starting a loop of its own.
    """
    await upgrade(url, "head")


async def upgrade(url: str, revision: str) -> None:
    """Brings the database at `url` up to `revision` (see `upgrade_to_head`)."""
    ensure_sqlite_folder(url)
    config = alembic_config(url)
    engine = _migration_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, config, revision)
    finally:
        await engine.dispose()


def _migration_engine(url: str) -> AsyncEngine:
    """No pooling and no app PRAGMAs (SQLite batch migrations want foreign_keys=OFF).

    On SQLite the driver's implicit transactions are replaced by BEGIN IMMEDIATE, so the DDL
    is transactional and a second migrator waits for the first instead of failing.
    """
    engine = create_async_engine(url, poolclass=pool.NullPool)
    if is_sqlite(url):
        sync_engine = engine.sync_engine

        @event.listens_for(sync_engine, "connect")
        def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(sync_engine, "begin")
        def _begin_immediate(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        # one migrator at a time per database; released at commit
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
