"""The catalogue cache end to end: warm browse screens read no catalogue rows, and with Redis
an admin's edit made through one instance shows on the next menu another instance draws.

The two-instance test runs both in webhook mode and plays the load balancer: it tells the
Bot API which instance's URL gets the next updates. An instance's inbox dispatcher runs when
its own intake stored an update (or on its tick, set to minutes here), so the instance that
received an update is the one that handles it, once the other has marked its last one done
(until then its dispatcher looks for more, and would take it).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot import texts
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
from tests.e2e.backends import BACKENDS, database_on
from tests.e2e.conftest import e2e_settings
from tests.e2e.inbox_kit import WAIT, inbox_rows, telegram_bot
from tests.e2e.journey import eventually, item, open_menu, say

SECRET = "shared-state-test-secret"
DOSA = "Rava Dosa"
LIMIT = 4  # updates a minute, per user


def helps(user: SandboxUser) -> int:
    return sum("/restaurants" in m.text for m in user.bot_messages)


def slow_downs(user: SandboxUser) -> int:
    return sum(m.text == texts.SLOW_DOWN for m in user.bot_messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_on(request.param, f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}") as url:
        yield url


def instance_settings(server: BotApiServer, tmp_path: Path, database_url: str,
                      redis_url: str, redis_prefix: str, **overrides: object) -> Settings:
    """One instance in webhook mode on its own port; handlers' leases and the dispatcher's
    tick (a third of the lease) long enough that only woken dispatchers claim."""
    port = free_port()
    settings = e2e_settings(
        server, tmp_path, webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_listen="127.0.0.1", webhook_port=port, webhook_secret=SECRET,
        inbox_lease_s=600, redis_url=redis_url, redis_prefix=redis_prefix, **overrides,
    )
    return settings.model_copy(update={"database_url": database_url})


@asynccontextmanager
async def two_instances(*settings: Settings) -> AsyncIterator[list[Running]]:
    """Both running on the seeded database, each subscribed to the catalogue's changes."""
    await seed_database(settings[0])
    async with AsyncExitStack() as stack:
        instances = [await stack.enter_async_context(running(s)) for s in settings]
        for instance in instances:
            await eventually(lambda i=instance: serving(cache_of(i)), WAIT)
        yield instances


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


async def all_done(settings: Settings) -> bool | None:
    """Whether every stored update is done: no dispatcher holds one or will look again."""
    return all(done for _, _, done in await inbox_rows(settings)) or None


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
    async with two_instances(a_settings, b_settings) as (a, b):
        a_cache, b_cache = cache_of(a), cache_of(b)
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
        # A's dispatcher answers before it marks the update done and looks for more: until it
        # has, it would take the customer's next update too, stored by B meanwhile
        await eventually(lambda: all_done(a_settings), WAIT)

        await route_to(b_settings)
        misses = b_cache.misses
        after = await open_menu(customer, "Udupi Tiffins")

    assert f"➕ {DOSA} · ₹120.50" in after.buttons
    assert b_cache.misses > misses  # B read the menu again: Redis told it of A's change


async def test_two_instances_answer_a_flooding_user_the_limit_once_and_say_slow_down_once(
    server: BotApiServer, tmp_path: Path, database_url: str, redis_url: str,
    redis_prefix: str, customer: SandboxUser, customer_2: SandboxUser,
) -> None:
    server.set_limits(None)  # Telegram's one message a second per chat is not the point here
    a_settings, b_settings = (
        instance_settings(server, tmp_path, database_url, redis_url, redis_prefix,
                          inbound_limit_per_user_per_min=LIMIT)
        for _ in range(2)
    )
    async with two_instances(a_settings, b_settings):
        await route_to(a_settings)
        for _ in range(3):
            await customer.send("/help")
        await customer.wait_until(lambda: helps(customer) == 3, timeout=WAIT)
        await route_to(b_settings)
        for _ in range(3):
            await customer.send("/help")
        await customer_2.send("/help")  # after the flood: all of it has been taken in

        await customer_2.wait_until(lambda: helps(customer_2) == 1, timeout=WAIT)
        await customer.wait_until(lambda: slow_downs(customer) == 1, timeout=WAIT)
    assert (helps(customer), slow_downs(customer)) == (LIMIT, 1)  # not 4 on each instance
    assert len(customer.bot_messages) == LIMIT + 1


async def test_with_redis_unreachable_the_bot_answers_from_the_database_and_edits_show(
    server: BotApiServer, tmp_path: Path, customer: SandboxUser, admin: SandboxUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    settings = e2e_settings(server, tmp_path, redis_url="redis://127.0.0.1:1/0")  # nobody there
    await seed_database(settings)
    async with running(settings) as instance:
        before = await open_menu(customer, "Udupi Tiffins")
        dosa = await dish_named(settings.database_url, DOSA)
        await say(admin, f"/setprice {dosa.id} 130", f"#{dosa.id}")
        after = await open_menu(customer, "Udupi Tiffins")
        assert not cache_of(instance).serving and len(cache_of(instance)) == 0

    assert f"➕ {DOSA} · ₹130.00" in after.buttons and after.buttons != before.buttons
    lost = [r for r in caplog.records if "lost Redis" in r.getMessage()]
    assert len(lost) == 1  # said once, not at every attempt to reconnect


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
