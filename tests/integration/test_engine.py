"""Engines come configured for the backend: SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import is_sqlite, make_engine, sqlite_file


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


async def test_a_sqlite_file_keeps_its_connections_instead_of_reopening_them(
    tmp_path: Path,
) -> None:
    """Twelve transactions at once, twice: the second round reuses the first's connections
    (SQLAlchemy's default kept 5 and opened the other 7 again each round)."""
    import asyncio

    from sqlalchemy import event

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}")
    opened: list[object] = []
    event.listen(engine.sync_engine, "connect", lambda connection, _record: opened.append(1))
    all_in = asyncio.Event()
    inside = 0

    async def hold() -> None:
        nonlocal inside
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            inside += 1
            if inside == 12:
                all_in.set()
            await asyncio.wait_for(all_in.wait(), timeout=30)

    try:
        await asyncio.gather(*(hold() for _ in range(12)))
        assert len(opened) == 12
        all_in.clear()
        inside = 0
        await asyncio.gather(*(hold() for _ in range(12)))
        assert len(opened) == 12
    finally:
        await engine.dispose()
