"""Dish options as admins set them, on the real database: groups added, replaced (keeping the
ids carts hold), dropped and switched on and off, each audited and announced to the catalogue
cache; refusals change nothing; and a menu file exported imports back unchanged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.catalogue import dish_written
from domain.errors import InvalidInput, NotFound
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.menu_export import menu_file
from domain.menu_import import decode_menu_file, parse_menu_csv
from domain.option_specs import parse_group
from domain.options import Option, OptionGroup
from domain.restaurants import MenuItem
from domain.services.admin.catalogue import CatalogueAdmin
from domain.services.admin.options import OptionAdmin
from storage.admin_repositories import SqlAdminUnitOfWork, admin_uow_factory
from tests.integration.builders import Catalog, FixedClock

ADMIN = UserId(9001)
SIZE = parse_group("Size", "1", "Regular, Medium +100, Large +200", "INR")
TOPPINGS = parse_group("Toppings", "0-3", "Olives +30, Jalapeño +30, Extra cheese +50", "INR")


@pytest.fixture
def announced() -> list[frozenset[str]]:
    return []


@pytest.fixture
def option_admin(session_factory: async_sessionmaker[AsyncSession], clock: FixedClock,
                 announced: list[frozenset[str]]) -> OptionAdmin:
    async def announce(stale: frozenset[str]) -> None:
        announced.append(stale)

    return OptionAdmin(admin_uow_factory(session_factory, announce), clock, "INR")


async def stored(uows: Callable[[], SqlAdminUnitOfWork], item_id: MenuItemId) -> MenuItem:
    async with uows() as uow:
        item = await uow.menu.get(item_id)
    assert item is not None
    return item


async def test_a_group_is_added_stored_audited_and_announced_to_the_cache(
    option_admin: OptionAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog,
    clock: FixedClock, announced: list[frozenset[str]],
) -> None:
    pizza = catalog.pizza.id
    await option_admin.set_group(ADMIN, pizza, SIZE)
    changed = await option_admin.set_group(ADMIN, pizza, TOPPINGS)

    assert await stored(admin_uows, pizza) == changed
    assert changed.groups == (SIZE, OptionGroup("Toppings", (
        Option(4, "Olives", 3000), Option(5, "Jalapeño", 3000), Option(6, "Extra cheese", 5000)),
        0, 3))
    assert await option_admin.dish(pizza) == changed
    async with admin_uows() as uow:
        newest, oldest = await uow.audit.latest(10)
    assert (oldest.actor, oldest.at, oldest.action, oldest.target, oldest.detail) == (
        ADMIN, clock.now(), "set_group", f"item #{pizza}",
        "Size=1: Regular, Medium +100, Large +200")
    assert newest.detail == "Toppings=0-3: Olives +30, Jalapeño +30, Extra cheese +50"
    assert announced == [frozenset(dish_written(changed))] * 2


async def test_a_group_set_again_keeps_its_place_and_the_ids_and_availability_of_its_options(
    option_admin: OptionAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog
) -> None:
    pizza = catalog.pizza.id
    await option_admin.set_group(ADMIN, pizza, SIZE)
    await option_admin.set_group(ADMIN, pizza, TOPPINGS)
    await option_admin.set_option_available(ADMIN, pizza, "size", "LARGE", False)

    again = parse_group("SIZE", "1", "regular, Large +250, Family +400", "INR")
    changed = await option_admin.set_group(ADMIN, pizza, again)

    assert [g.name for g in changed.groups] == ["SIZE", "Toppings"]
    assert changed.groups[0].options == (
        Option(1, "regular"), Option(3, "Large", 25000, available=False),
        Option(7, "Family", 40000))  # Medium's id 2 is not given again
    assert await stored(admin_uows, pizza) == changed


async def test_a_group_is_dropped_and_an_option_switched_off_and_on(
    option_admin: OptionAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog
) -> None:
    pizza = catalog.pizza.id
    await option_admin.set_group(ADMIN, pizza, SIZE)
    await option_admin.set_group(ADMIN, pizza, TOPPINGS)

    off = await option_admin.set_option_available(ADMIN, pizza, "Size", "Large", False)
    assert [o.available for o in off.groups[0].options] == [True, True, False]
    on = await option_admin.set_option_available(ADMIN, pizza, "Size", "Large", True)
    assert on.groups[0] == SIZE
    dropped = await option_admin.drop_group(ADMIN, pizza, "toppings")

    assert dropped.groups == (SIZE,) and await stored(admin_uows, pizza) == dropped
    async with admin_uows() as uow:
        entries = await uow.audit.latest(3)
    assert [(e.action, e.detail) for e in entries] == [
        ("drop_group", "toppings"), ("option_on", "Size | Large"),
        ("option_off", "Size | Large")]


async def test_refusals_change_nothing_and_record_nothing(
    option_admin: OptionAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog,
    announced: list[frozenset[str]],
) -> None:
    pizza = catalog.pizza.id
    await option_admin.set_group(ADMIN, pizza, SIZE)
    before = await stored(admin_uows, pizza)
    announced.clear()

    with pytest.raises(NotFound):
        await option_admin.set_group(ADMIN, MenuItemId(999), TOPPINGS)
    for name in "ABCDE":
        await option_admin.set_group(ADMIN, catalog.cola.id, parse_group(name, "0-1", "x", "INR"))
    with pytest.raises(InvalidInput, match="at most 5 option groups"):
        await option_admin.set_group(ADMIN, catalog.cola.id, parse_group("F", "0-1", "x", "INR"))
    many = parse_group("Toppings", "0-3", ", ".join(f"T{n}" for n in range(22)), "INR")
    with pytest.raises(InvalidInput, match="at most 24 options in all"):
        await option_admin.set_group(ADMIN, pizza, many)
    with pytest.raises(InvalidInput, match="no option group 'Crust'; its groups: Size"):
        await option_admin.drop_group(ADMIN, pizza, "Crust")
    with pytest.raises(InvalidInput, match="Size has no option 'XL'"):
        await option_admin.set_option_available(ADMIN, pizza, "Size", "XL", False)

    assert await stored(admin_uows, pizza) == before
    async with admin_uows() as uow:
        assert [e.action for e in await uow.audit.latest(10)] == ["set_group"] * 6
    assert announced == [frozenset(dish_written(await stored(admin_uows, catalog.cola.id)))] * 5


async def test_an_exported_menu_with_options_imports_back_with_every_dish_unchanged(
    option_admin: OptionAdmin, catalogue_admin: CatalogueAdmin,
    admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog,
) -> None:
    rid = catalog.restaurant.id
    await option_admin.set_group(ADMIN, catalog.pizza.id, SIZE)
    await option_admin.set_group(ADMIN, catalog.pizza.id, TOPPINGS)
    await option_admin.set_option_available(ADMIN, catalog.pizza.id, "Size", "Large", False)
    await catalogue_admin.edit_food(ADMIN, catalog.pizza.id, price=24950,
                                    description='Cheese, tomato and "basil"')
    await catalogue_admin.set_available(ADMIN, catalog.cola.id, False)
    export = await option_admin.menu(rid)
    assert (export.restaurant.id, [i.name for i in export.items]) == (rid, ["Cola", "Pizza"])

    text = decode_menu_file(menu_file(export.items, "INR"))
    result = await catalogue_admin.import_menu(ADMIN, parse_menu_csv(text, rid, "INR"))

    assert (result.added, result.updated, result.rejected) == ((), (), ())
    assert result.unchanged == export.items
    async with admin_uows() as uow:
        assert tuple(await uow.menu.for_restaurant(rid)) == export.items
    with pytest.raises(NotFound):
        await option_admin.menu(RestaurantId(999))


async def test_an_option_dropped_never_lends_its_id_to_a_later_one(
    option_admin: OptionAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog,
) -> None:
    pizza = catalog.pizza.id
    first = await option_admin.set_group(ADMIN, pizza, SIZE)  # ids 1, 2, 3
    await option_admin.drop_group(ADMIN, pizza, "Size")
    dropped = await stored(admin_uows, pizza)
    again = await option_admin.set_group(
        ADMIN, pizza, parse_group("Size", "1", "Family +300", "INR"))

    assert [o.id for o in first.groups[0].options] == [1, 2, 3]
    assert (dropped.groups, dropped.last_option_id) == ((), 3)
    assert [o.id for o in again.groups[0].options] == [4]  # a cart holding Large (3) still
    assert (await stored(admin_uows, pizza)).last_option_id == 4  # finds it gone, not Family
