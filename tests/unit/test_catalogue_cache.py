"""The catalogue cache's rules: what it serves, what a change drops, and when it serves nothing."""

from __future__ import annotations

import pytest

from domain.catalogue import (
    RESTAURANTS,
    CatalogueCache,
    dish_key,
    dish_written,
    menu_key,
    restaurant_written,
)
from domain.ids import MenuItemId, RestaurantId
from domain.restaurants import MenuItem, Restaurant

DOMINOS = Restaurant(RestaurantId(1), "Dominos", "MG Road")
PIZZA = MenuItem(MenuItemId(7), RestaurantId(1), "Pizza", 250_00)
MENU = menu_key(RestaurantId(1))


def warm(cache: CatalogueCache, at: float = 0.0) -> None:
    cache.store(RESTAURANTS, (DOMINOS,), cache.generation, at)
    cache.store(MENU, (PIZZA,), cache.generation, at)
    cache.store(dish_key(PIZZA.id), PIZZA, cache.generation, at)


def test_a_stored_entry_is_served_until_its_time_to_live_runs_out() -> None:
    cache = CatalogueCache(ttl_s=60)
    assert cache.lookup(MENU, 0.0) is None
    warm(cache, at=10.0)

    assert cache.lookup(MENU, 69.9) == (PIZZA,)
    assert cache.lookup(MENU, 70.0) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_a_dish_change_drops_its_menu_and_itself_but_not_the_restaurant_list() -> None:
    cache = CatalogueCache(ttl_s=60)
    warm(cache)

    cache.drop(dish_written(PIZZA))

    assert cache.lookup(MENU, 1.0) is None
    assert cache.lookup(dish_key(PIZZA.id), 1.0) is None
    assert cache.lookup(RESTAURANTS, 1.0) == (DOMINOS,)


def test_a_restaurant_change_drops_the_restaurant_list_and_keeps_the_menus() -> None:
    cache = CatalogueCache(ttl_s=60)
    warm(cache)

    cache.drop(restaurant_written(DOMINOS))

    assert cache.lookup(RESTAURANTS, 1.0) is None
    assert cache.lookup(MENU, 1.0) == (PIZZA,)


def test_a_read_that_straddles_a_change_is_not_kept() -> None:
    """Read the old menu, a change commits and is dropped, then the old read would be stored:
    keeping it would show the old price until the time to live ran out."""
    cache = CatalogueCache(ttl_s=60)
    read_in = cache.generation
    cache.drop(dish_written(PIZZA))  # the change lands while the read is in flight

    cache.store(MENU, (PIZZA,), read_in, 1.0)

    assert cache.lookup(MENU, 1.0) is None
    cache.store(MENU, (PIZZA,), cache.generation, 2.0)  # a read after the change is kept
    assert cache.lookup(MENU, 2.0) == (PIZZA,)


def test_a_suspended_cache_serves_and_keeps_nothing_and_resumes_empty() -> None:
    cache = CatalogueCache(ttl_s=60)
    warm(cache)

    cache.suspend()
    assert cache.lookup(MENU, 1.0) is None
    warm(cache, at=1.0)
    assert len(cache) == 0

    cache.resume()
    assert cache.lookup(RESTAURANTS, 2.0) is None
    warm(cache, at=2.0)
    assert cache.lookup(RESTAURANTS, 2.0) == (DOMINOS,)


def test_a_time_to_live_of_zero_turns_the_cache_off() -> None:
    cache = CatalogueCache(ttl_s=0)
    warm(cache)
    assert not cache.serving and len(cache) == 0
    assert cache.lookup(RESTAURANTS, 0.0) is None


def test_a_negative_time_to_live_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CatalogueCache(ttl_s=-1)
