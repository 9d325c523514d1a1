"""UTCDateTime: tz-aware UTC in, tz-aware UTC out, on both backends; on SQLite the text stored
is what SQLAlchemy's own DATETIME writes (the bulk writes of storage/pipeline/bulk.py write the
same), so every row sorts and compares alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.types import UTCDateTime

METADATA = MetaData()
STAMPS = Table("test_stamps", METADATA, Column("id", Integer, primary_key=True),
               Column("at", UTCDateTime()))
IST = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
async def stamps(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    yield engine
    async with engine.begin() as connection:  # PostgreSQL's test database outlives the test
        await connection.run_sync(METADATA.drop_all)


async def test_times_come_back_in_utc_as_they_went_in_and_sort_by_time(
    stamps: AsyncEngine,
) -> None:
    written = [datetime(2026, 11, 30, 9, 0, 0, 0, tzinfo=IST),  # 03:30 UTC
               datetime(2026, 11, 30, 3, 29, 59, 999_999, tzinfo=UTC),
               datetime(2026, 11, 30, 3, 30, 0, 1, tzinfo=UTC)]
    async with stamps.begin() as connection:
        await connection.execute(STAMPS.insert(), [{"id": i, "at": at}
                                                   for i, at in enumerate(written)])
        found = (await connection.execute(select(STAMPS.c.at).order_by(STAMPS.c.at))).scalars()
        later = (await connection.execute(select(STAMPS.c.id).where(
            STAMPS.c.at > datetime(2026, 11, 30, 3, 30, tzinfo=UTC)))).scalars()
        assert list(later) == [2]
    assert [(at, at.tzinfo) for at in found] == [(written[1], UTC), (written[0], UTC),
                                                 (written[2], UTC)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_stores_the_text_sqlalchemys_datetime_writes(stamps: AsyncEngine) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=IST)
    async with stamps.begin() as connection:
        await connection.execute(STAMPS.insert(), {"id": 1, "at": at})
        stored = (await connection.execute(text("SELECT at FROM test_stamps"))).scalar_one()
    sqlalchemys = sqlite.DATETIME().bind_processor(sqlite.dialect())
    assert sqlalchemys is not None
    assert stored == sqlalchemys(at.astimezone(UTC).replace(tzinfo=None))
    assert stored == "2026-01-01 21:34:05.000000"


@pytest.mark.parametrize("value", [datetime(2026, 1, 2, 3, 4, 5), "2026-01-02 03:04:05"])
async def test_naive_times_and_text_are_refused(stamps: AsyncEngine, value: object) -> None:
    with pytest.raises(StatementError, match=r"naive datetime|expected a datetime"):
        async with stamps.begin() as connection:
            await connection.execute(STAMPS.insert(), {"id": 1, "at": value})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("stored", "read"), [
    ("2026-01-02 03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),  # datetime('now')'s
    ("2026-01-02T03:04:05.000007", datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=UTC)),
    ("2026-01-02 08:34:05+05:30", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
])
async def test_sqlite_reads_iso_text_it_did_not_write_itself_as_utc(
    stamps: AsyncEngine, stored: str, read: datetime,
) -> None:
    async with stamps.begin() as connection:
        await connection.execute(text("INSERT INTO test_stamps (id, at) VALUES (1, :at)"),
                                 {"at": stored})
        found = (await connection.execute(select(STAMPS.c.at))).scalar_one()
    assert (found, found.tzinfo) == (read, UTC)


async def test_a_time_in_another_zone_compares_as_the_same_instant(stamps: AsyncEngine) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    async with stamps.begin() as connection:
        await connection.execute(STAMPS.insert(), {"id": 1, "at": at})
        same = (await connection.execute(select(STAMPS.c.id).where(
            STAMPS.c.at == at.astimezone(IST)))).scalars().all()
    assert same == [1]
