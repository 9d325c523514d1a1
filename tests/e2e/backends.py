"""End-to-end on either database: each test of a module that takes this `settings` fixture
runs on a SQLite file, and again on a fresh PostgreSQL database when TEST_DATABASE_URL is set
(skipped, saying why, when it is not). For behaviour that must be the same on every backend.
The queue works once at start and then not for a minute (as `still_queue_settings`), so an
order stays where a test puts it.

A test module takes it with `from tests.e2e.backends import settings  # noqa: F401`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox import BotApiServer
from tests.e2e.conftest import still_queue_settings
from tests.integration.conftest import PG_ENV, PostgresServer

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def database_on(backend: str, sqlite_url: str) -> Iterator[str]:
    """`sqlite_url` on "sqlite"; on "postgres", a fresh PostgreSQL database, dropped after
    (the test is skipped, saying why, when TEST_DATABASE_URL is not set)."""
    if backend == "sqlite":
        yield sqlite_url
        return
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} not set")
    databases = PostgresServer(url)
    try:
        yield databases.create_database()
    finally:
        databases.drop_all()


@pytest.fixture(params=BACKENDS)
def settings(
    request: pytest.FixtureRequest, server: BotApiServer, tmp_path: Path
) -> Iterator[Settings]:
    on_sqlite = still_queue_settings(server, tmp_path)
    with database_on(request.param, on_sqlite.database_url) as url:
        yield on_sqlite.model_copy(update={"database_url": url})
