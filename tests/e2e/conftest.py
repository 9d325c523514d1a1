"""End-to-end fixtures: the local Bot API server and the real bot on a fresh database.

Each test gets its own server on a free loopback port, a fresh migrated and seeded
SQLite file, and the real `Application` polling it in this event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.context import AppType
from bot.settings import Settings, load_settings
from bot.wakeup import Wakeup
from bot.wiring import polling, seed_database
from sandbox import BotApiServer, SandboxUser
from storage.db import make_engine, make_sessionmaker
from storage.uow import SqlUnitOfWork, uow_factory

TOKEN = "123456:E2E-test-token-value"
CUSTOMER, CUSTOMER_2, PARTNER, ADMIN, MANAGER = 1001, 1002, 2001, 9001, 3001


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(token=TOKEN) as running:
        yield running


def e2e_settings(server: BotApiServer, folder: Path, **overrides: object) -> Settings:
    """The bot's settings against `server`, on a database file in `folder`."""
    return load_settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_base_url=server.base_url,
        telegram_base_file_url=server.base_file_url,
        database_url=f"sqlite+aiosqlite:///{folder / 'e2e.db'}",
        admin_ids=frozenset({ADMIN}),
        **overrides,
    )


STILL_S = 60.0  # a job whose fallback look is this long, and that commits do not wake


def still_queue_settings(server: BotApiServer, folder: Path) -> Settings:
    """Settings whose queue works once at start and then not for a minute (run the bot with
    `Still` wake-ups, as the `bot` fixture does): orders stay where a test puts them (one
    placed in chat stays CREATED) instead of racing the worker."""
    return e2e_settings(server, folder, queue_interval_s=STILL_S)


class Still(Wakeup):
    """This process's wake-ups, except for a job whose fallback look is `STILL_S`: commits do
    not wake it, so it works once at start and then not for a minute."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._queue = settings.queue_interval_s < STILL_S
        self._outbox = settings.outbox_interval_s < STILL_S

    def tasks_written(self) -> None:
        if self._queue:
            super().tasks_written()

    def messages_written(self) -> None:
        if self._outbox:
            super().messages_written()


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path)


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[AppType]:
    await seed_database(settings)
    async with polling(settings, wakeup=Still(settings)) as app:
        yield app


@pytest.fixture
def customer(server: BotApiServer) -> SandboxUser:
    return server.user(CUSTOMER, first_name="Asha", username="asha")


@pytest.fixture
def customer_2(server: BotApiServer) -> SandboxUser:
    return server.user(CUSTOMER_2, first_name="Bilal")


@pytest.fixture
def partner(server: BotApiServer) -> SandboxUser:
    return server.user(PARTNER, first_name="Ravi")


@pytest.fixture
def admin(server: BotApiServer) -> SandboxUser:
    return server.user(ADMIN, first_name="Meera")


@pytest.fixture
async def uows(settings: Settings) -> AsyncIterator[Callable[[], SqlUnitOfWork]]:
    """Units of work on the bot's database, to set the scene and to check what changed."""
    engine = make_engine(settings.database_url)
    yield uow_factory(make_sessionmaker(engine))
    await engine.dispose()


@pytest.fixture
async def manager(server: BotApiServer, uows: Callable[[], SqlUnitOfWork]) -> SandboxUser:
    """Dominos' kitchen chat, as an admin's /linkmanager leaves it."""
    kitchen = server.user(MANAGER, first_name="Dominos kitchen")
    await kitchen.send("/start")
    async with uows() as uow:
        dominos = await uow.restaurants.get_by_name("Dominos")
        assert dominos is not None
        await uow.restaurants.save(replace(dominos, manager_chat_id=MANAGER))
        await uow.commit()
    return kitchen
