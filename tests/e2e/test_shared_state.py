"""The catalogue cache end to end: warm browse screens read no catalogue rows, and with Redis
an admin's edit made through one instance shows on the next menu another instance draws.

The two-instance test runs both in webhook mode and plays the load balancer: it tells the
Bot API which instance's URL gets the next updates. An instance's inbox dispatcher runs when
its own intake stored an update (or on its tick, set to minutes here), so the instance that
received an update is the one that handles it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.context import AppType, Services
from bot.runner import Running
from bot.settings import Settings
from bot.wiring import running, seed_database
from domain.catalogue import CatalogueCache
from domain.restaurants import MenuItem
from sandbox import BotApiServer, SandboxUser
from storage.catalogue import CachedCatalogue
from storage.db import make_engine, make_sessionmaker
from storage.uow import uow_factory
from tests.e2e.conftest import e2e_settings
from tests.e2e.inbox_kit import WAIT, telegram_bot
from tests.e2e.journey import eventually, item, open_menu, say
from tests.integration.conftest import PG_ENV, PostgresServer

SECRET = "shared-state-test-secret"
DOSA = "Rava Dosa"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
        return
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} not set")
    databases = PostgresServer(url)
    try:
        yield databases.create_database()
    finally:
        databases.drop_all()


def instance_settings(server: BotApiServer, tmp_path: Path, database_url: str,
                      redis_url: str, redis_prefix: str) -> Settings:
    """One instance in webhook mode on its own port; handlers' leases and the dispatcher's
    tick (a third of the lease) long enough that only woken dispatchers claim."""
    port = free_port()
    settings = e2e_settings(
        server, tmp_path, webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_listen="127.0.0.1", webhook_port=port, webhook_secret=SECRET,
        inbox_lease_s=600, redis_url=redis_url, redis_prefix=redis_prefix,
    )
    return settings.model_copy(update={"database_url": database_url})


def cache_of(instance: Running) -> CatalogueCache:
    services = instance.app.bot_data["services"]
    assert isinstance(services, Services)
    catalogue = services.shopping.catalogue
    assert isinstance(catalogue, CachedCatalogue)
    return catalogue.cache


async def route_to(settings: Settings) -> None:
    """The next updates go to this instance (what a load balancer would decide)."""
    async with telegram_bot(settings) as bot:
        assert settings.webhook_url is not None
        await bot.set_webhook(settings.webhook_url, secret_token=SECRET)


async def serving(cache: CatalogueCache) -> bool | None:
    return cache.serving or None


async def test_an_admin_edit_through_one_instance_shows_on_the_next_menu_of_another(
    server: BotApiServer, tmp_path: Path, database_url: str, redis_url: str,
    redis_prefix: str, customer: SandboxUser, admin: SandboxUser,
) -> None:
    a_settings, b_settings = (
        instance_settings(server, tmp_path, database_url, redis_url, redis_prefix)
        for _ in range(2)
    )
    await seed_database(a_settings)
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(running(a_settings))
        b = await stack.enter_async_context(running(b_settings))
        a_cache, b_cache = cache_of(a), cache_of(b)
        for cache in (a_cache, b_cache):
            await eventually(lambda c=cache: serving(c), WAIT)  # subscribed to the changes

        await route_to(b_settings)
        before = await open_menu(customer, "Udupi Tiffins")
        hits = b_cache.hits
        again = await open_menu(customer, "Udupi Tiffins")
        assert b_cache.hits > hits and again.buttons == before.buttons  # B's copy, warm

        dosa = await dish_named(database_url, DOSA)
        assert f"➕ {DOSA} · ₹{dosa.price // 100}" in " ".join(before.buttons)
        await route_to(a_settings)
        await say(admin, f"/setprice {dosa.id} 120.50", f"#{dosa.id}")
        assert len(a_cache) == 0  # A drew no customer screen: B alone holds the menu

        await route_to(b_settings)
        misses = b_cache.misses
        after = await open_menu(customer, "Udupi Tiffins")

    assert f"➕ {DOSA} · ₹120.50" in after.buttons
    assert b_cache.misses > misses  # B read the menu again: Redis told it of A's change


async def dish_named(database_url: str, name: str) -> MenuItem:
    engine = make_engine(database_url)
    try:
        return await item(uow_factory(make_sessionmaker(engine)), name)
    finally:
        await engine.dispose()


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine in this process runs from now on."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    yield seen
    event.remove(Engine, "before_cursor_execute", note)


async def test_warm_restaurant_list_and_menu_screens_read_no_catalogue_rows(
    bot: AppType, customer: SandboxUser, statements: list[str]
) -> None:
    cold = await open_menu(customer, "Dominos")
    assert catalogue_reads(statements)  # the first screens read the database
    statements.clear()

    warm = await open_menu(customer, "Dominos")

    assert warm.text == cold.text and warm.buttons == cold.buttons
    assert catalogue_reads(statements) == []


def catalogue_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "restaurants" in s or "menu_items" in s]
