"""A restaurant's terms (delivery fee, free delivery, minimum order) and an order's bill."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain.bill import Bill
from domain.cart import Cart, LineKey
from domain.errors import BelowMinimum, InvalidInput
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.money import Money
from domain.orders import DeliveryDetails, Order, OrderItem
from domain.restaurants import MenuItem, Restaurant
from domain.views import cart_view

ASHA = UserId(1001)
DOMINOS = Restaurant(RestaurantId(1), "Dominos", "MG Road", delivery_fee=4000,
                     free_delivery_from=50000, min_order=20000)
PIZZA = MenuItem(MenuItemId(1), DOMINOS.id, "Pizza", 25000)
DIP = MenuItem(MenuItemId(2), DOMINOS.id, "Dip", 3500)


def test_delivery_costs_the_fee_until_the_dishes_reach_the_free_delivery_amount() -> None:
    assert [DOMINOS.delivery_fee_for(s) for s in (1, 49999, 50000, 90000)] == [4000, 4000, 0, 0]
    always = replace(DOMINOS, free_delivery_from=None)
    assert always.delivery_fee_for(10**9) == 4000
    assert replace(DOMINOS, delivery_fee=0).delivery_fee_for(100) == 0


def test_below_the_minimum_order_says_how_much_more_is_needed() -> None:
    assert [DOMINOS.short_of_minimum(s) for s in (0, 12500, 20000, 30000)] == [20000, 7500, 0, 0]
    with pytest.raises(BelowMinimum) as refused:
        DOMINOS.check_minimum(12500, "INR")
    assert (refused.value.short_by, refused.value.minimum) == (7500, 20000)
    DOMINOS.check_minimum(20000, "INR")  # exactly the minimum is enough
    replace(DOMINOS, min_order=0).check_minimum(1, "INR")


@pytest.mark.parametrize(("terms", "problem"), [
    ({"delivery_fee": -1}, "cannot be negative"),
    ({"min_order": -1}, "cannot be negative"),
    ({"free_delivery_from": 0}, "free delivery must start above zero"),
])
def test_terms_out_of_range_are_refused(terms: dict[str, int], problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        Restaurant(RestaurantId(1), "Dominos", "MG Road", **terms)


def test_a_bill_is_the_dishes_plus_delivery_less_the_discount_plus_the_tip() -> None:
    bill = Bill("INR", subtotal=50000, delivery_fee=4000, discount=5000, tip=2000)
    assert bill.total == Money(51000, "INR")
    assert Bill.from_total(51000, "INR", delivery_fee=4000, discount=5000, tip=2000) == bill
    assert DOMINOS.bill_for(25000, "INR") == Bill("INR", 25000, 4000)
    assert DOMINOS.bill_for(50000, "INR").total == Money(50000, "INR")


@pytest.mark.parametrize("parts", [
    {"subtotal": -1}, {"delivery_fee": -1}, {"tip": -1}, {"subtotal": 100, "discount": 101},
])
def test_a_bill_never_has_a_negative_part_or_a_discount_above_the_dishes(
    parts: dict[str, int],
) -> None:
    with pytest.raises(ValueError):
        Bill("INR", **{"subtotal": 100, **parts})


def test_an_order_keeps_the_fee_it_was_placed_with_in_its_total() -> None:
    order = Order.place(customer_id=ASHA, restaurant_id=DOMINOS.id,
                        items=(OrderItem(PIZZA.id, "Pizza", 25000, 2),), currency="INR",
                        delivery=DeliveryDetails("home"), at=datetime(2026, 11, 30, tzinfo=UTC),
                        delivery_fee=4000)
    assert order.bill == Bill("INR", 50000, 4000)
    assert order.total == Money(54000, "INR")


def test_the_cart_shows_its_bill_and_what_the_minimum_still_needs() -> None:
    cart = Cart(ASHA, DOMINOS.id, {LineKey(DIP.id): 2})
    view = cart_view(cart, {DIP.id: DIP}, DOMINOS, "INR")
    assert view.bill == Bill("INR", 7000, 4000)
    assert view.short_of_minimum == Money(13000, "INR")
    two = Cart(ASHA, DOMINOS.id, {LineKey(PIZZA.id): 2})
    full = cart_view(two, {PIZZA.id: PIZZA}, DOMINOS, "INR")
    assert (full.bill, full.short_of_minimum) == (Bill("INR", 50000, 0), Money(0, "INR"))
    assert cart_view(Cart(ASHA), {}, None, "INR").bill is None


def test_a_restaurants_usual_ride_is_kept_in_range() -> None:
    with pytest.raises(InvalidInput, match="travel time"):
        replace(DOMINOS, travel_minutes=241)
