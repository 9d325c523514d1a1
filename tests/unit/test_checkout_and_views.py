"""Checkout drafts, summaries' snapshots, pages and the customer's views: pure rules."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.bill import Bill
from domain.cart import Cart, LineKey
from domain.checkout import Checkout, CheckoutStep, order_key
from domain.errors import InvalidInput
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.money import Money
from domain.orders import (
    MAX_ADDRESS,
    MAX_NOTE,
    SYSTEM,
    DeliveryDetails,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
)
from domain.restaurants import MenuItem, Restaurant
from domain.services.shopping import menu_order
from domain.views import OrderView, cart_view, paginate

ASHA = UserId(1001)
DOMINOS = Restaurant(RestaurantId(1), "Dominos", "MG Road")
PIZZA = MenuItem(MenuItemId(1), DOMINOS.id, "Pizza", 25000, category="Pizzas")
COKE = MenuItem(MenuItemId(2), DOMINOS.id, "Coke", 6000, category="Drinks")
DIP = MenuItem(MenuItemId(3), DOMINOS.id, "Dip", 3500, category="Sides", available=False)
FARMHOUSE = MenuItem(MenuItemId(4), DOMINOS.id, "Farmhouse", 39900, category="Pizzas")
MENU = {i.id: i for i in (PIZZA, COKE, DIP, FARMHOUSE)}
T0 = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)


def priced(*lines: tuple[MenuItem, int]) -> Cart:
    cart = Cart(ASHA)
    for item, quantity in lines:
        cart.add(item, quantity)
    return cart


def test_a_typed_address_is_trimmed_and_moves_checkout_to_the_summary() -> None:
    checkout = Checkout(ASHA)
    checkout.set_address("  12 Residency Road  ")
    assert (checkout.step, checkout.address) == (CheckoutStep.CONFIRM, "12 Residency Road")
    assert checkout.delivery() == DeliveryDetails("12 Residency Road")


def test_address_and_note_are_length_limited_and_a_refused_one_changes_nothing() -> None:
    checkout = Checkout(ASHA)
    with pytest.raises(InvalidInput, match=f"address is longer than {MAX_ADDRESS}"):
        checkout.set_address("x" * (MAX_ADDRESS + 1))
    with pytest.raises(InvalidInput, match="address must not be empty"):
        checkout.set_address("   ")
    assert (checkout.step, checkout.address) == (CheckoutStep.ADDRESS, None)
    with pytest.raises(InvalidInput, match=f"note is longer than {MAX_NOTE}"):
        checkout.set_note("n" * (MAX_NOTE + 1))
    assert checkout.note == ""


def test_a_shared_location_stands_in_for_the_address_until_one_is_typed() -> None:
    checkout = Checkout(ASHA)
    checkout.set_location(12.9716, 77.5946)
    checkout.set_note("Gate 2")
    assert checkout.delivery() == DeliveryDetails("📍 12.97160, 77.59460", 12.9716, 77.5946,
                                                  note="Gate 2")
    checkout.set_address("12 Residency Road")
    assert (checkout.latitude, checkout.longitude) == (None, None)
    with pytest.raises(InvalidInput):
        checkout.set_location(91.0, 0.0)


def test_a_summary_matches_only_the_cart_and_fee_exactly_as_they_were_shown() -> None:
    cart = priced((PIZZA, 2))
    checkout = Checkout(ASHA)
    shown = cart.price(MENU, "INR")
    checkout.summarize(shown, Bill("INR", 50000, 4000), token=42)
    assert checkout.token == 42 and checkout.matches(shown, Bill("INR", 50000, 4000))

    assert not checkout.matches(shown, Bill("INR", 50000, 3000))  # the fee changed
    dearer = {**MENU, PIZZA.id: MenuItem(PIZZA.id, DOMINOS.id, "Pizza", 27500)}
    assert not checkout.matches(cart.price(dearer, "INR"), Bill("INR", 55000, 4000))
    cart.add(PIZZA)
    assert not checkout.matches(cart.price(MENU, "INR"), Bill("INR", 75000, 4000))


def test_each_customer_and_summary_has_its_own_order_key() -> None:
    assert order_key(ASHA, 42) != order_key(UserId(1002), 42) != order_key(ASHA, 43)


def test_pages_stay_in_range_whatever_number_is_asked() -> None:
    entries = list(range(17))
    assert paginate(entries, 0, 8).entries == tuple(range(8))
    last = paginate(entries, 99, 8)
    assert (last.number, last.count, last.entries) == (2, 3, (16,))
    assert (last.has_previous, last.has_next) == (True, False)
    assert paginate([], 5, 8) == paginate([], 0, 8)
    assert paginate([], 0, 8).count == 1


def test_a_menu_keeps_categories_in_the_order_their_first_dish_was_added() -> None:
    ordered = menu_order([COKE, FARMHOUSE, DIP, PIZZA])
    assert [i.name for i in ordered] == ["Pizza", "Farmhouse", "Coke", "Dip"]


def test_the_cart_view_shows_unavailable_dishes_without_counting_them() -> None:
    cart = Cart(ASHA, DOMINOS.id, {LineKey(PIZZA.id): 2, LineKey(DIP.id): 1})
    view = cart_view(cart, MENU, DOMINOS, "INR")
    assert [(li.name, li.available) for li in view.lines] == [("Pizza", True), ("Dip", False)]
    assert (view.item_count, view.total) == (2, Money(50000, "INR"))
    assert view.quantity_of(PIZZA.id) == 2 and view.quantity_of(COKE.id) == 0
    assert cart_view(Cart(ASHA), MENU, DOMINOS, "INR").restaurant is None


def test_only_created_or_confirmed_orders_can_be_cancelled_and_delivered_ones_rated() -> None:
    order = Order.place(customer_id=ASHA, restaurant_id=DOMINOS.id,
                        items=(OrderItem(PIZZA.id, "Pizza", 25000, 1),), currency="INR",
                        delivery=DeliveryDetails("home"), at=T0)
    seen = []
    for status in (OrderStatus.CREATED, OrderStatus.CONFIRMED, OrderStatus.PREPARING):
        view = OrderView(replace(order, status=status), "Dominos")
        seen.append((status, view.can_cancel, view.can_rate))
    assert seen == [(OrderStatus.CREATED, True, False), (OrderStatus.CONFIRMED, True, False),
                    (OrderStatus.PREPARING, False, False)]
    delivered = replace(order, status=OrderStatus.DELIVERED, partner_id=UserId(2001))
    assert not OrderView(delivered, "Dominos").can_cancel
    assert OrderView(delivered, "Dominos").can_rate
    assert not OrderView(delivered, "D", rating=5).can_rate


def test_the_expected_time_follows_the_order_once_it_is_on_its_way() -> None:
    order = Order.place(customer_id=ASHA, restaurant_id=DOMINOS.id,
                        items=(OrderItem(PIZZA.id, "Pizza", 25000, 1),), currency="INR",
                        delivery=DeliveryDetails("home"), at=T0,
                        expected_at=T0 + timedelta(minutes=45))
    placed = OrderView(order, "Dominos", tuple(order.new_events), travel_minutes=25)
    assert placed.expected_by == T0 + timedelta(minutes=45)
    assert not replace(placed, shown_at=T0 + timedelta(minutes=45)).late
    assert replace(placed, shown_at=T0 + timedelta(minutes=46)).late

    left = OrderEvent(order.id, OrderStatus.PREPARING, OrderStatus.OUT_FOR_DELIVERY,
                      T0 + timedelta(minutes=50), SYSTEM)
    riding = replace(placed, order=replace(order, status=OrderStatus.OUT_FOR_DELIVERY),
                     history=(*placed.history, left), shown_at=T0 + timedelta(minutes=60))
    assert riding.expected_by == T0 + timedelta(minutes=75) and not riding.late
    delivered = replace(riding, order=replace(order, status=OrderStatus.DELIVERED),
                        shown_at=T0 + timedelta(hours=3))
    assert not delivered.late  # over: nothing to be late for
