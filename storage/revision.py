"""Which schema revision a database is at, read without Alembic.

`foodbot run` only checks that the database is at the newest revision (`foodbot migrate`
brings it there). Alembic and Mako cost about 10 MB of resident memory once imported, for the
life of the process; this check is one read of the table Alembic keeps, so a running bot never
loads them. HEAD is the newest migration in storage/migrations/versions: a test fails when a
new migration is added and HEAD is not moved to it.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import sqlite_file

HEAD = "0030"
VERSION_TABLE = "alembic_version"  # Alembic's own bookkeeping: one row, the revision


async def current_revision(url: str) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return None  # connecting would create an empty file
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_read_revision)
    finally:
        await engine.dispose()


async def is_at_head(url: str) -> bool:
    """Whether the database has the newest schema this code knows."""
    return await current_revision(url) == HEAD


def _read_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    found = list(revisions)
    if len(found) > 1:  # branches: never made here, and never the head
        raise RuntimeError(f"database has {len(found)} schema heads: {sorted(found)}")
    return found[0] if found else None
