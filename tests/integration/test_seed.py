"""`foodbot seed` gives a usable sample catalogue, and repeating it adds nothing."""

from __future__ import annotations

from collections.abc import Callable

from domain.ids import MenuItemId, RestaurantId
from domain.restaurants import MenuItem, Restaurant
from storage.seed import seed
from storage.uow import SqlUnitOfWork

Uows = Callable[[], SqlUnitOfWork]


async def test_seeding_twice_adds_the_samples_once(uow_factory: Uows) -> None:
    first = await seed(uow_factory, "INR")
    second = await seed(uow_factory, "INR")

    assert first.restaurants_added >= 3
    assert first.items_added >= 3 * 5
    assert (second.restaurants_added, second.items_added) == (0, 0)
    assert str(second) == "0 restaurants and 0 dishes added"
    async with uow_factory() as uow:
        restaurants = await uow.restaurants.list()
        menus = [await uow.menu.for_restaurant(r.id) for r in restaurants]
    assert len(restaurants) == first.restaurants_added
    assert sum(map(len, menus)) == first.items_added


async def test_the_samples_include_dominos_pizza_at_250_rupees(uow_factory: Uows) -> None:
    await seed(uow_factory, "INR")
    async with uow_factory() as uow:
        dominos = await uow.restaurants.get_by_name("Dominos")
        assert dominos is not None
        menu = {item.name: item for item in await uow.menu.for_restaurant(dominos.id)}
        restaurants = await uow.restaurants.list()
        every_item = [i for r in restaurants for i in await uow.menu.for_restaurant(r.id)]
    assert (dominos.address, dominos.prep_minutes, dominos.is_open) == (
        "MG Road, Bengaluru", 20, True
    )
    pizza = menu["Pizza"]
    assert (pizza.price, pizza.category, pizza.description) == (25000, "Pizzas", "Cheese, tomato")
    assert len({item.category for item in menu.values()}) >= 3
    assert any(not r.is_open for r in restaurants)
    assert any(not item.available for item in every_item)
    assert dominos.bill_for(25000, "INR").delivery_fee == 0  # the tests' free-delivery kitchen
    spice = next(r for r in restaurants if r.name == "Spice Route")
    assert (spice.delivery_fee, spice.free_delivery_from, spice.min_order) == (3000, 50000, 20000)


async def test_seeding_fills_in_only_what_is_missing(uow_factory: Uows) -> None:
    async with uow_factory() as uow:
        mine = await uow.restaurants.add(Restaurant(RestaurantId(0), "Dominos", "Church Street"))
        await uow.menu.add(MenuItem(MenuItemId(0), mine.id, "Pizza", 19900))
        await uow.commit()

    report = await seed(uow_factory, "INR")

    async with uow_factory() as uow:
        dominos = await uow.restaurants.get_by_name("Dominos")
        assert dominos is not None
        menu = {item.name: item for item in await uow.menu.for_restaurant(dominos.id)}
    assert dominos.address == "Church Street"  # an admin's edits are kept
    assert menu["Pizza"].price == 19900
    assert len(menu) > 1
    assert report.restaurants_added >= 2
