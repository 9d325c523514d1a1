"""Fixtures: a fresh migrated database per test, on SQLite and (when configured) PostgreSQL.

SQLite: a real file in the test's tmp_path, copied from a template migrated once per session
with `upgrade_to_head`. PostgreSQL (only when TEST_DATABASE_URL is set): a uniquely named
database created and migrated once per session, emptied before each test, dropped at the end.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from domain.services.admin.catalogue import CatalogueAdmin
from domain.services.admin.orders import OrderAdmin
from domain.services.admin.partners import PartnerAdmin
from domain.services.admin.stats import StatsAdmin
from storage.admin_repositories import SqlAdminUnitOfWork, admin_uow_factory
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade_to_head
from storage.rows import Base
from storage.uow import SqlUnitOfWork
from storage.uow import uow_factory as make_uow_factory
from tests.integration.builders import Catalog, FixedClock, SeqTokens, add_catalog

PG_ENV = "TEST_DATABASE_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
T = TypeVar("T")


def run_outside_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Runs a coroutine to completion on a private loop in a worker thread.

    Session-scoped setup uses this so it never touches the tests' own event loops.
    """
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(lambda: asyncio.run(make())).result()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@dataclass
class PostgresServer:
    """Creates and drops uniquely named databases on the TEST_DATABASE_URL server."""

    url: str
    created: list[str] = field(default_factory=list)

    def url_for(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def create_database(self) -> str:
        name = f"foodbot_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        run_outside_loop(lambda: self._admin(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.url_for(name)

    def drop_all(self) -> None:
        for name in self.created:
            statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
            run_outside_loop(functools.partial(self._admin, statement))
        self.created.clear()

    async def _admin(self, statement: str) -> None:
        engine = create_async_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} not set")
    server = PostgresServer(url)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def migrated_postgres_url(postgres_server: PostgresServer) -> str:
    url = postgres_server.create_database()
    run_outside_loop(lambda: upgrade_to_head(url))
    return url


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "foodbot.db"
    run_outside_loop(lambda: upgrade_to_head(sqlite_url(path)))
    return path


async def empty_all_tables(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a freshly migrated, empty database."""
    if request.param == "sqlite":
        path = tmp_path / "foodbot.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), path)
        return sqlite_url(path)
    url: str = request.getfixturevalue("migrated_postgres_url")
    await empty_all_tables(url)
    return url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database with no tables at all (its SQLite file does not exist yet)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "fresh" / "foodbot.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
def uow_factory(session_factory: async_sessionmaker[AsyncSession]) -> Callable[[], SqlUnitOfWork]:
    return make_uow_factory(session_factory)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def catalog(uow_factory: Callable[[], SqlUnitOfWork]) -> Catalog:
    """Dominos with Pizza and Cola, and customers 1001 and 1002."""
    return await add_catalog(uow_factory)


@pytest.fixture
def admin_uows(
    session_factory: async_sessionmaker[AsyncSession],
) -> Callable[[], SqlAdminUnitOfWork]:
    return admin_uow_factory(session_factory)


@pytest.fixture
def catalogue_admin(
    admin_uows: Callable[[], SqlAdminUnitOfWork], clock: FixedClock
) -> CatalogueAdmin:
    return CatalogueAdmin(admin_uows, clock, "INR")


@pytest.fixture
def partner_admin(
    admin_uows: Callable[[], SqlAdminUnitOfWork], clock: FixedClock
) -> PartnerAdmin:
    return PartnerAdmin(admin_uows, clock, SeqTokens())


@pytest.fixture
def order_admin(admin_uows: Callable[[], SqlAdminUnitOfWork], clock: FixedClock) -> OrderAdmin:
    return OrderAdmin(admin_uows, clock)


@pytest.fixture
def stats_admin(admin_uows: Callable[[], SqlAdminUnitOfWork], clock: FixedClock) -> StatsAdmin:
    return StatsAdmin(admin_uows, clock)

