"""Sample restaurants and menus (`foodbot seed`). Safe to repeat: nothing is added twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.ids import MenuItemId, RestaurantId
from domain.money import Money
from domain.options import MAX_OPTIONS, Option, OptionGroup
from domain.ports import UnitOfWork
from domain.restaurants import MenuItem, Restaurant


@dataclass(frozen=True)
class SampleDish:
    name: str
    price: str  # whole major units, so it reads right in any currency
    category: str
    description: str = ""
    available: bool = True
    # option groups: (name, least, most, ((option, whole major units added), ...))
    options: tuple[tuple[str, int, int, tuple[tuple[str, str], ...]], ...] = ()


@dataclass(frozen=True)
class SampleRestaurant:
    name: str
    address: str
    prep_minutes: int
    dishes: tuple[SampleDish, ...]
    is_open: bool = True
    # whole major units: the delivery fee, the dishes' value from which delivery is free, the
    # minimum order ("" for none)
    terms: tuple[str, str, str] = ("0", "", "0")


D = SampleDish
SAMPLES: tuple[SampleRestaurant, ...] = (
    SampleRestaurant("Dominos", "MG Road, Bengaluru", 20, (
        D("Pizza", "250", "Pizzas", "Cheese, tomato"),
        D("Farmhouse Pizza", "399", "Pizzas", "Onion, capsicum, tomato, mushroom", options=(
            ("Size", 1, 1, (("Regular", "0"), ("Medium", "100"), ("Large", "200"))),
            ("Toppings", 0, 3, (("Olives", "30"), ("Jalapeño", "30"), ("Extra cheese", "50"))),
        )),
        D("Pepper Barbecue Chicken", "449", "Pizzas", "Barbecue chicken, onion"),
        D("Garlic Breadsticks", "129", "Sides", "Baked with garlic butter"),
        D("Cheesy Dip", "35", "Sides"),
        D("Choco Lava Cake", "109", "Desserts", "Warm chocolate centre"),
        D("Coke 500 ml", "60", "Beverages"),
    )),
    SampleRestaurant("Spice Route", "80 Feet Road, Koramangala, Bengaluru", 30, (
        D("Chicken Biryani", "320", "Biryani", "Hyderabadi dum, with raita"),
        D("Veg Biryani", "260", "Biryani", "Seasonal vegetables, with raita"),
        D("Chicken 65", "240", "Starters", "Spicy fried chicken"),
        D("Paneer Tikka", "230", "Starters", "Tandoor-grilled paneer", available=False),
        D("Butter Naan", "60", "Breads"),
        D("Masala Chaas", "50", "Beverages", "Spiced buttermilk"),
    ), terms=("30", "500", "200")),
    SampleRestaurant("Udupi Tiffins", "11th Main, Jayanagar, Bengaluru", 10, (
        D("Masala Dosa", "90", "Dosa", "With chutney and sambar"),
        D("Rava Dosa", "100", "Dosa"),
        D("Idli Vada", "70", "Tiffin", "Two idlis, one vada"),
        D("Kesari Bath", "60", "Sweets"),
        D("Filter Coffee", "40", "Beverages"),
    )),
    SampleRestaurant("Green Bowl", "100 Feet Road, Indiranagar, Bengaluru", 15, (
        D("Greek Salad", "280", "Salads", "Feta, olives, cucumber"),
        D("Quinoa Bowl", "320", "Bowls", "Quinoa, roasted vegetables, hummus"),
        D("Falafel Wrap", "220", "Wraps"),
        D("Paneer Wrap", "210", "Wraps"),
        D("Fresh Lime Soda", "90", "Beverages"),
    ), is_open=False),
)


@dataclass(frozen=True)
class SeedReport:
    restaurants_added: int
    items_added: int

    def __str__(self) -> str:
        return f"{self.restaurants_added} restaurants and {self.items_added} dishes added"


async def seed(
    uow_factory: Callable[[], UnitOfWork],
    currency: str,
    samples: tuple[SampleRestaurant, ...] = SAMPLES,
    *,
    time_zone: str = "UTC",
) -> SeedReport:
    """Adds the sample restaurants and dishes that are missing, by name, in one transaction."""
    restaurants_added = items_added = 0
    async with uow_factory() as uow:
        for sample in samples:
            restaurant = await uow.restaurants.get_by_name(sample.name)
            if restaurant is None:
                restaurant = await uow.restaurants.add(_restaurant(sample, currency, time_zone))
                restaurants_added += 1
            items_added += await _add_missing_dishes(uow, restaurant.id, sample, currency)
        await uow.commit()
    return SeedReport(restaurants_added, items_added)


def _restaurant(sample: SampleRestaurant, currency: str, time_zone: str) -> Restaurant:
    fee, free_from, minimum = (Money.parse(amount, currency).amount if amount else None
                               for amount in sample.terms)
    return Restaurant(
        RestaurantId(0), sample.name, sample.address,
        is_open=sample.is_open, prep_minutes=sample.prep_minutes,
        delivery_fee=fee or 0, free_delivery_from=free_from, min_order=minimum or 0,
        time_zone=time_zone,
    )


async def _add_missing_dishes(
    uow: UnitOfWork, restaurant_id: RestaurantId, sample: SampleRestaurant, currency: str
) -> int:
    known = {item.name for item in await uow.menu.for_restaurant(restaurant_id)}
    added = 0
    for dish in sample.dishes:
        if dish.name in known:
            continue
        price = Money.parse(dish.price, currency).amount
        await uow.menu.add(MenuItem(
            MenuItemId(0), restaurant_id, dish.name, price, available=dish.available,
            description=dish.description, category=dish.category,
            groups=_groups(dish, currency),
        ))
        added += 1
    return added


def _groups(dish: SampleDish, currency: str) -> tuple[OptionGroup, ...]:
    numbered = iter(range(1, MAX_OPTIONS + 1))
    return tuple(
        OptionGroup(name, tuple(Option(next(numbered), option, Money.parse(extra, currency).amount)
                                for option, extra in options), least, most)
        for name, least, most, options in dish.options)
