"""The database itself refuses duplicates and dangling references, SQLite included."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from domain.cart import Cart, LineKey
from domain.ids import MenuItemId, OrderId, RestaurantId, UserId
from domain.partners import Partner, PartnerStatus
from domain.restaurants import MenuItem, Restaurant
from storage.uow import SqlUnitOfWork
from tests.integration.builders import Catalog

Uows = Callable[[], SqlUnitOfWork]


async def test_two_restaurants_cannot_share_a_name(uow_factory: Uows, catalog: Catalog) -> None:
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.restaurants.add(Restaurant(RestaurantId(0), "Dominos", "Elsewhere"))


async def test_dish_names_are_unique_within_a_restaurant_only(
    uow_factory: Uows, catalog: Catalog
) -> None:
    async with uow_factory() as uow:
        other = await uow.restaurants.add(Restaurant(RestaurantId(0), "Pizza Hut", "Brigade Road"))
        await uow.menu.add(MenuItem(MenuItemId(0), other.id, "Pizza", 19900))
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.menu.add(MenuItem(MenuItemId(0), catalog.restaurant.id, "Pizza", 100))


async def test_a_dish_needs_an_existing_restaurant(uow_factory: Uows) -> None:
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.menu.add(MenuItem(MenuItemId(0), RestaurantId(404), "Ghost Pizza", 100))


async def test_a_cart_line_needs_an_existing_dish(uow_factory: Uows, catalog: Catalog) -> None:
    cart = Cart(UserId(1001), catalog.restaurant.id, {LineKey(MenuItemId(404)): 1})
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.carts.save(cart)


async def test_one_active_order_belongs_to_one_partner(uow_factory: Uows) -> None:
    first = Partner(UserId(1), "Kiran", PartnerStatus.APPROVED, active_order_id=OrderId(7))
    second = Partner(UserId(2), "Lata", PartnerStatus.APPROVED, active_order_id=OrderId(7))
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.partners.save(first)
            await uow.partners.save(second)
