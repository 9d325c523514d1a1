"""The benchmarks' databases: a fresh SQLite file or a throwaway database on a PostgreSQL
server, and autovacuum's stand-in for a run on PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import sqlalchemy
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from storage.db import is_sqlite


@dataclass
class Autovacuum:
    """Vacuums and analyzes the busy tables every `every_s` on PostgreSQL, as autovacuum
    would on a live server (the one here may run with it off); its time is in the figures."""

    engine: AsyncEngine
    every_s: float = 2.0
    last: float = 0.0
    runs: int = 0

    async def tick(self, *, force: bool = False) -> None:
        if self.engine.dialect.name != "postgresql":
            return
        if not force and time.perf_counter() - self.last < self.every_s:
            return
        async with self.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(
                "VACUUM (ANALYZE) tasks, orders, partners, offers, order_progress"
            ))
            await connection.execute(text("ANALYZE outbox, order_events"))
        self.last = time.perf_counter()
        self.runs += 1


@asynccontextmanager
async def database(url: str | None) -> AsyncIterator[str]:
    """A fresh SQLite file, or a throwaway database on the PostgreSQL server at `url`."""
    if url is None or is_sqlite(url):
        with tempfile.TemporaryDirectory(prefix="foodbot-bench-") as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        return
    name = f"foodbot_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = sqlalchemy.make_url(url)
    admin = sqlalchemy.ext.asyncio.create_async_engine(
        server, isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
