"""Browse reads through the catalogue cache on the real database: warm screens read no
catalogue rows, and every kind of change shows on the next screen (one instance, no Redis):
the admins' edits, and a cancelled order's portions given back to stock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.catalogue import CatalogueCache
from domain.customers import Customer
from domain.ids import RestaurantId, UserId
from domain.menu_import import parse_menu_csv
from domain.pipeline.actions import Presses
from domain.services.admin.catalogue import CatalogueAdmin
from domain.services.checkout import CheckoutService
from domain.services.orders import CustomerOrders
from domain.services.shopping import ShoppingService
from domain.views import Placed, TrackingMessage
from storage.admin_repositories import admin_uow_factory
from storage.catalogue import CachedCatalogue
from storage.pipeline.store import SqlPipelineStore
from storage.seed import seed
from storage.shared import LocalFeed
from storage.uow import uow_factory
from tests.integration.builders import CUSTOMER, OTHER_CUSTOMER, Catalog, FixedClock, SeqTokens
from tests.integration.test_stock import at_summary

ADMIN = UserId(9001)


@dataclass
class Bot:
    """What one instance wires: the customer's shopping on a cache, the admins' catalogue."""

    shopping: ShoppingService
    admin: CatalogueAdmin
    feed: LocalFeed


@pytest.fixture
def bot(session_factory: async_sessionmaker[AsyncSession], clock: FixedClock) -> Bot:
    feed = LocalFeed(CatalogueCache(ttl_s=300))
    uows = uow_factory(session_factory, feed.announce)
    catalogue = CachedCatalogue(session_factory, feed.cache)
    admin = CatalogueAdmin(admin_uow_factory(session_factory, feed.announce), clock, "INR")
    return Bot(ShoppingService(uows, "INR", catalogue, clock=clock), admin, feed)


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs from now on."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", note)


def catalogue_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "restaurants" in s or "menu_items" in s]


async def test_a_warm_restaurant_list_runs_no_query_and_a_warm_menu_reads_only_the_cart(
    bot: Bot, catalog: Catalog, statements: list[str]
) -> None:
    await bot.shopping.restaurants()
    await bot.shopping.menu(CUSTOMER, catalog.restaurant.id)
    await bot.shopping.dish(catalog.pizza.id)
    assert catalogue_reads(statements)  # cold: read from the database
    statements.clear()

    page = await bot.shopping.restaurants()
    assert statements == []
    menu = await bot.shopping.menu(CUSTOMER, catalog.restaurant.id)
    dish = await bot.shopping.dish(catalog.pizza.id)

    assert [listed.restaurant.name for listed in page.entries] == ["Dominos"]
    assert [i.name for i in menu.items.entries] == ["Pizza", "Cola"] and dish == catalog.pizza
    assert len(statements) == 1 and "carts" in statements[0]  # the customer's (empty) cart


async def test_a_warm_menu_shows_the_cart_from_the_cache_too(
    bot: Bot, catalog: Catalog, statements: list[str]
) -> None:
    await bot.shopping.add(Customer(CUSTOMER, "Asha"), catalog.pizza.id)
    await bot.shopping.menu(CUSTOMER, catalog.restaurant.id)
    statements.clear()

    menu = await bot.shopping.menu(CUSTOMER, catalog.restaurant.id)

    assert [(line.name, line.quantity) for line in menu.cart.lines] == [("Pizza", 1)]
    assert catalogue_reads(statements) == []  # the cart's rows only: the cart with its lines
    assert len(statements) == 1


Edit = Callable[[CatalogueAdmin, Catalog], Awaitable[object]]
IMPORT = "name,price,category\nPizza,275,Pizzas\nGarlic Bread,99,Sides\n"

EDITS: dict[str, tuple[Edit, str]] = {
    "price": (lambda a, c: a.set_price(ADMIN, c.pizza.id, 299_00), "Pizza ₹299.00"),
    "hidden": (lambda a, c: a.set_available(ADMIN, c.pizza.id, False), "Pizza hidden"),
    "dish added": (lambda a, c: a.add_food(ADMIN, c.restaurant.id, "Soup", 90_00, "Soups", ""),
                   "Soup ₹90.00"),
    "dish edited": (lambda a, c: a.edit_food(ADMIN, c.pizza.id, name="Farmhouse Pizza"),
                    "Farmhouse Pizza ₹250.00"),
    "menu imported": (
        lambda a, c: a.import_menu(ADMIN, parse_menu_csv(IMPORT, c.restaurant.id, "INR")),
        "Garlic Bread ₹99.00"),
    "closed": (lambda a, c: a.set_open(ADMIN, c.restaurant.id, False), "Dominos closed"),
    "renamed": (lambda a, c: a.edit_restaurant(ADMIN, c.restaurant.id, name="Dominos MG Road"),
                "Dominos MG Road open"),
}


def shown(menu_lines: list[str], restaurants: list[str]) -> str:
    return " | ".join(menu_lines + restaurants)


@pytest.mark.parametrize("edit", list(EDITS))
async def test_an_admin_edit_shows_on_the_next_screen(
    bot: Bot, catalog: Catalog, edit: str
) -> None:
    change, expected = EDITS[edit]

    async def screens() -> str:
        page = await bot.shopping.restaurants()
        menu = await bot.shopping.menu(CUSTOMER, catalog.restaurant.id)
        return shown(
            [f"{i.name} ₹{i.price / 100:.2f}" if i.available else f"{i.name} hidden"
             for i in menu.items.entries],
            [f"{listed.restaurant.name} {'open' if listed.restaurant.is_open else 'closed'}"
             for listed in page.entries],
        )

    before = await screens()
    assert expected not in before
    assert await screens() == before and bot.feed.cache.hits > 0  # served from the cache

    await change(bot.admin, catalog)

    assert expected in await screens()


async def test_seeding_beside_a_running_instance_shows_on_its_next_list(
    bot: Bot, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog
) -> None:
    page = await bot.shopping.restaurants()
    assert [listed.restaurant.name for listed in page.entries] == ["Dominos"]

    await seed(uow_factory(session_factory, bot.feed.announce), "INR")

    names = [listed.restaurant.name for listed in (await bot.shopping.restaurants()).entries]
    assert "Spice Route" in names and len(names) > 1


async def test_an_unknown_restaurant_is_still_not_found_when_added_later(
    bot: Bot, catalog: Catalog
) -> None:
    assert await bot.shopping.catalogue.restaurant(RestaurantId(999)) is None
    added = await bot.admin.add_restaurant(ADMIN, "Late Night", "Church Street", 15)
    assert await bot.shopping.catalogue.restaurant(added.id) == added


async def test_a_cancelled_orders_portions_show_on_the_next_menu(
    bot: Bot, catalog: Catalog, session_factory: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    """The cancel is written by the order pipeline, not the unit of work: its store announces
    the dish it gave back to, so a menu warm with "sold out" shows the portion again."""
    uows = uow_factory(session_factory, bot.feed.announce)
    async with uows() as uow:
        await uow.menu.save(replace(catalog.pizza, stock=1))
        await uow.commit()
    shown = await at_summary(uows, catalog, clock, OTHER_CUSTOMER, 1)
    placed = await CheckoutService(uows, clock, "INR", SeqTokens()).place(
        OTHER_CUSTOMER, shown.token, TrackingMessage(OTHER_CUSTOMER, 70))
    assert isinstance(placed, Placed)

    async def pizzas_left() -> int | None:
        menu = await bot.shopping.menu(CUSTOMER, catalog.restaurant.id)
        return next(i.stock for i in menu.items.entries if i.id == catalog.pizza.id)

    assert (await pizzas_left(), await pizzas_left()) == (0, 0)  # the second from the cache
    store = SqlPipelineStore(session_factory, announce=bot.feed.announce)
    await CustomerOrders(uows, clock, "INR", Presses(store, clock)).cancel(
        OTHER_CUSTOMER, placed.view.order.id)

    assert await pizzas_left() == 1
