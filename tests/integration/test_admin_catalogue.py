"""The admin catalogue on the real database: restaurants, dishes, imports and their audit
entries."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import InvalidInput, NotFound
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.menu_import import parse_menu_csv
from domain.restaurants import Unanswered
from domain.services.admin.catalogue import CatalogueAdmin
from storage.admin_repositories import SqlAdminUnitOfWork
from tests.integration.builders import Catalog, FixedClock

ADMIN = UserId(9001)


async def audit_count(uows: Callable[[], SqlAdminUnitOfWork]) -> int:
    async with uows() as uow:
        return await uow.audit.count()


async def test_adding_a_restaurant_and_a_dish_records_who_did_it_and_when(
    catalogue_admin: CatalogueAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], clock: FixedClock
) -> None:
    restaurant = await catalogue_admin.add_restaurant(ADMIN, "Dominos Express", "MG Road", 25)
    item = await catalogue_admin.add_food(ADMIN, restaurant.id, "Pizza", 25000, "Pizzas", "Cheese")

    async with admin_uows() as uow:
        assert await uow.restaurants.get(restaurant.id) == restaurant
        assert await uow.menu.get(item.id) == item
    newest, oldest = (await catalogue_admin.audit(10)).items
    assert (oldest.actor, oldest.at, oldest.action) == (ADMIN, clock.now(), "add_restaurant")
    assert oldest.target == f"restaurant #{restaurant.id}"
    assert (newest.action, newest.target) == ("add_food", f"item #{item.id}")


async def test_editing_keeps_the_fields_left_out(
    catalogue_admin: CatalogueAdmin, catalog: Catalog
) -> None:
    changed = await catalogue_admin.edit_restaurant(ADMIN, catalog.restaurant.id, prep_minutes=35)
    assert (changed.name, changed.address, changed.prep_minutes) == (
        catalog.restaurant.name, catalog.restaurant.address, 35)
    dish = await catalogue_admin.edit_food(ADMIN, catalog.pizza.id, description="")
    assert (dish.name, dish.price, dish.description) == ("Pizza", catalog.pizza.price, "")


async def test_closing_hiding_repricing_and_photos_are_stored(
    catalogue_admin: CatalogueAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog
) -> None:
    await catalogue_admin.set_open(ADMIN, catalog.restaurant.id, False)
    await catalogue_admin.set_available(ADMIN, catalog.cola.id, False)
    await catalogue_admin.set_price(ADMIN, catalog.pizza.id, 26000)
    await catalogue_admin.set_photo(ADMIN, catalog.cola.id, "photo-file-id")
    await catalogue_admin.link_manager(ADMIN, catalog.restaurant.id, None)

    async with admin_uows() as uow:
        restaurant = await uow.restaurants.get(catalog.restaurant.id)
        pizza, cola = await uow.menu.get(catalog.pizza.id), await uow.menu.get(catalog.cola.id)
    assert restaurant is not None and pizza is not None and cola is not None
    assert (restaurant.is_open, restaurant.manager_chat_id) == (False, None)
    assert (cola.available, cola.photo_file_id, pizza.price) == (False, "photo-file-id", 26000)
    assert [e.action for e in (await catalogue_admin.audit(10)).items] == [
        "link_manager", "set_photo", "set_price", "hide_food", "close_restaurant"]


async def test_terms_are_stored_kept_when_left_out_and_recorded(
    catalogue_admin: CatalogueAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog
) -> None:
    rid = catalog.restaurant.id
    await catalogue_admin.set_terms(ADMIN, rid, delivery_fee=4000, free_delivery_from=50000,
                                    min_order=19900)
    kept = await catalogue_admin.set_terms(ADMIN, rid, min_order=0)
    async with admin_uows() as uow:
        stored = await uow.restaurants.get(rid)
    assert stored == kept
    assert (kept.delivery_fee, kept.free_delivery_from, kept.min_order) == (4000, 50000, 0)
    never_free = await catalogue_admin.set_terms(ADMIN, rid, free_delivery_from=0)
    assert never_free.free_delivery_from is None
    assert [e.detail for e in (await catalogue_admin.audit(3)).items] == [
        "delivery ₹40.00 | free from never | minimum ₹0.00",
        "delivery ₹40.00 | free from ₹500.00 | minimum ₹0.00",
        "delivery ₹40.00 | free from ₹500.00 | minimum ₹199.00",
    ]
    with pytest.raises(InvalidInput):
        await catalogue_admin.set_terms(ADMIN, rid, delivery_fee=-1)
    assert len((await catalogue_admin.audit(10)).items) == 3


async def test_a_restaurants_time_zone_is_stored_and_new_ones_take_the_services(
    admin_uows: Callable[[], SqlAdminUnitOfWork], clock: FixedClock, catalog: Catalog
) -> None:
    admin = CatalogueAdmin(admin_uows, clock, "INR", "Asia/Kolkata")
    added = await admin.add_restaurant(ADMIN, "Udupi Tiffins", "Jayanagar", 10)
    moved = await admin.set_time_zone(ADMIN, catalog.restaurant.id, "Europe/London")

    async with admin_uows() as uow:
        assert await uow.restaurants.get(added.id) == added
        assert await uow.restaurants.get(moved.id) == moved
    assert (added.time_zone, moved.time_zone) == ("Asia/Kolkata", "Europe/London")
    assert [e.action for e in (await admin.audit(1)).items] == ["time_zone"]


async def test_a_kitchens_time_to_answer_is_stored_and_recorded(
    catalogue_admin: CatalogueAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog
) -> None:
    rid = catalog.restaurant.id
    await catalogue_admin.set_kitchen_answer(ADMIN, rid, 120, Unanswered.ACCEPT)
    kept = await catalogue_admin.set_kitchen_answer(ADMIN, rid, 600)

    async with admin_uows() as uow:
        assert await uow.restaurants.get(rid) == kept
    assert (kept.answer_within_s, kept.unanswered) == (600, Unanswered.ACCEPT)
    assert [e.detail for e in (await catalogue_admin.audit(2)).items] == [
        "within 600 s, then as before", "within 120 s, then accept"]


async def test_unknown_ids_and_bad_values_change_nothing_and_record_nothing(
    catalogue_admin: CatalogueAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog
) -> None:
    with pytest.raises(NotFound):
        await catalogue_admin.set_open(ADMIN, RestaurantId(999), False)
    with pytest.raises(NotFound):
        await catalogue_admin.set_price(ADMIN, MenuItemId(999), 100)
    with pytest.raises(NotFound):
        await catalogue_admin.add_food(ADMIN, RestaurantId(999), "Soup", 100, "Menu", "")
    with pytest.raises(InvalidInput, match="exists already"):
        await catalogue_admin.add_restaurant(ADMIN, "Dominos", "Elsewhere", 20)
    with pytest.raises(InvalidInput):
        await catalogue_admin.edit_restaurant(ADMIN, catalog.restaurant.id, prep_minutes=500)
    assert await audit_count(admin_uows) == 0


async def test_importing_a_menu_adds_updates_and_reports_rejected_rows(
    catalogue_admin: CatalogueAdmin, admin_uows: Callable[[], SqlAdminUnitOfWork], catalog: Catalog
) -> None:
    csv_text = ("name,price,category\n"
                "pizza,260,Pizzas\n"      # updates Pizza (matched ignoring case)
                "Cola,60,Beverages\n"     # unchanged
                "Garlic bread,99,Sides\n"  # added
                "Soup,abc,Soups\n")       # rejected
    parsed = parse_menu_csv(csv_text, catalog.restaurant.id, "INR")
    result = await catalogue_admin.import_menu(ADMIN, parsed)

    assert [i.name for i in result.added] == ["Garlic bread"]
    assert [(i.id, i.name, i.price) for i in result.updated] == [(catalog.pizza.id, "pizza", 26000)]
    assert [i.id for i in result.unchanged] == [catalog.cola.id]
    assert [(r.line, "not an amount" in r.reason) for r in result.rejected] == [(5, True)]
    async with admin_uows() as uow:
        names = {i.name for i in await uow.menu.for_restaurant(catalog.restaurant.id)}
    assert {"pizza", "Garlic bread"} <= names and "Soup" not in names
    (entry,) = (await catalogue_admin.audit(10)).items
    assert entry.action == "import_menu"
    assert "1 added, 1 updated, 1 unchanged, 1 rejected" in entry.detail


async def test_the_audit_lists_the_newest_first_up_to_the_limit(
    catalogue_admin: CatalogueAdmin, catalog: Catalog
) -> None:
    for price in (100, 200, 300):
        await catalogue_admin.set_price(ADMIN, catalog.pizza.id, price)
    assert [e.detail for e in (await catalogue_admin.audit(2)).items] == ["₹3.00", "₹2.00"]
