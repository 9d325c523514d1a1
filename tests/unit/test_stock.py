"""A dish's portions left: what a cart may hold of it, and when it is sold out."""

import pytest

from domain.cart import Cart, LineKey
from domain.errors import InvalidInput, ItemUnavailable, OutOfStock
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.restaurants import MenuItem

PIZZA = MenuItem(MenuItemId(1), RestaurantId(1), "Pizza", 25000, stock=2)
DIP = MenuItem(MenuItemId(2), RestaurantId(1), "Dip", 3500)


def test_a_counted_dish_is_sold_out_at_zero_and_takes_no_more_than_is_left() -> None:
    assert (PIZZA.orderable, PIZZA.allows(2), PIZZA.allows(3)) == (True, True, False)
    sold_out = MenuItem(PIZZA.id, PIZZA.restaurant_id, "Pizza", 25000, stock=0)
    assert (sold_out.orderable, DIP.orderable, DIP.allows(20)) == (False, True, True)
    with pytest.raises(InvalidInput):
        MenuItem(PIZZA.id, PIZZA.restaurant_id, "Pizza", 25000, stock=-1)


def test_a_cart_holds_no_more_portions_than_are_left() -> None:
    cart = Cart(UserId(1001))
    cart.add(PIZZA, 2)
    with pytest.raises(OutOfStock) as refused:
        cart.add(PIZZA)
    assert refused.value.left == {"Pizza": 2} and cart.quantities == {PIZZA.id: 2}
    with pytest.raises(ItemUnavailable):
        Cart(UserId(1001)).add(MenuItem(PIZZA.id, PIZZA.restaurant_id, "Pizza", 25000, stock=0))


def test_a_cart_knows_which_dishes_it_holds_more_of_than_are_left() -> None:
    cart = Cart(UserId(1001), RestaurantId(1), {LineKey(PIZZA.id): 2, LineKey(DIP.id): 5})
    fewer = MenuItem(PIZZA.id, PIZZA.restaurant_id, "Pizza", 25000, stock=1)
    assert cart.over_stock({PIZZA.id: fewer, DIP.id: DIP}) == {PIZZA.id: 1}
    assert cart.over_stock({PIZZA.id: PIZZA, DIP.id: DIP}) == {}
    with pytest.raises(OutOfStock):
        cart.price({PIZZA.id: fewer, DIP.id: DIP}, "INR")
