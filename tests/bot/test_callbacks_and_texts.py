"""The callback-data codec and the wording of refusals, without Telegram."""

import html
import re
from datetime import UTC, datetime

import pytest

from bot import texts
from bot.callbacks import SLOTS, Action, BadCallback, pack, pattern, unpack
from domain import errors
from domain.cart import MAX_QUANTITY
from domain.ids import MenuItemId, OrderId, RestaurantId, UserId
from domain.lines import LineClosed
from domain.money import Money
from domain.options import ChoiceRefused
from domain.orders import SYSTEM, DeliveryDetails, Order, OrderEvent, OrderItem, OrderStatus
from domain.restaurants import MenuItem, Restaurant
from domain.services.scheduling import NoSlots
from domain.services.shopping import DISHES_PER_PAGE
from domain.views import (
    ALWAYS_OPEN,
    CartLineView,
    CartView,
    Listed,
    MenuPage,
    OrderView,
    paginate,
)


@pytest.mark.parametrize("action", list(Action))
def test_every_action_packs_within_64_bytes_and_unpacks_to_itself(action: Action) -> None:
    for ids in ([slot[-1] for slot in SLOTS.get(action, ())],
                [slot[0] for slot in SLOTS.get(action, ())]):
        data = pack(action, *ids)
        assert len(data.encode()) <= 64
        assert unpack(data) == (action, ids)


@pytest.mark.parametrize("data", [
    None, "", "nope", "add", "add:1", "add:1:2:3", "add:x:1", "add:-1:0", "add: 1:0",
    "place:" + "9" * 20, "home:1", "rate:1:2:" + "x" * 60,
])
def test_malformed_callback_data_is_refused(data: str | None) -> None:
    with pytest.raises(BadCallback):
        unpack(data)


@pytest.mark.parametrize("data", [
    "od:9999999999999999999", f"od:{2**63}", "oacc:18446744073709551616", "od:0", "od:-1",
    "od:007", "od:١٢", "od:１", "od:+5", "od:1_000",
    f"add:{2**31}:0", "add:0:0", f"mn:{2**31}:0", f"mn:1:{2**31}", "rl:-1",
    "place:0", f"place:{2**63}", f"rate:{2**63}:5",
])
def test_a_number_no_button_of_ours_can_carry_is_refused_like_malformed_data(data: str) -> None:
    with pytest.raises(BadCallback):
        unpack(data)


def test_the_largest_ids_of_each_kind_still_unpack() -> None:
    assert unpack(f"od:{2**63 - 1}") == (Action.ORDER, [2**63 - 1])
    assert unpack(f"add:{2**31 - 1}:0") == (Action.ADD, [2**31 - 1, 0])


def test_packing_refuses_what_the_scheme_cannot_carry() -> None:
    with pytest.raises(ValueError):
        pack(Action.ADD, 1)
    with pytest.raises(ValueError):
        pack(Action.ORDER, -5)
    with pytest.raises(ValueError):
        pack(Action.ORDER, 2**63)


def test_patterns_tell_actions_sharing_a_prefix_apart() -> None:
    assert re.match(pattern(Action.ADD), "add:1:0")
    assert not re.match(pattern(Action.ADD), "addn:1:0")
    assert not re.match(pattern(Action.CANCEL), "cxy:5")


@pytest.mark.parametrize("error, expected", [
    (BadCallback("x"), "This button no longer works. Send /start for the main menu."),
    (errors.NotFound("menu item", 5), "That dish is no longer on the menu."),
    (errors.NotFound("order", 5), "I can't find that order."),
    (errors.RestaurantClosed("Green Bowl"), "Sorry, Green Bowl is closed right now."),
    (errors.ItemUnavailable("Paneer Tikka"), "Sorry, Paneer Tikka is not available now."),
    (errors.ItemUnavailable("Farmhouse Pizza", option="Large"),
     "Sorry, Farmhouse Pizza (Large) is not available now."),
    (errors.ItemUnavailable("Farmhouse Pizza", offered=False),
     "Sorry, Farmhouse Pizza has an option that is no longer offered."),
    (errors.ItemUnavailable("", offered=False), "Sorry, that option is no longer offered."),
    (errors.InvalidInput("note is longer than 300 characters"),
     "Note is longer than 300 characters. Please try again."),
    (errors.TooLateToCancel("PREPARING"),
     "Sorry, this order can no longer be cancelled: the restaurant is already on it."),
    (errors.StaleSummary(), "This summary is out of date. Please use the newest one, "
                            "or check out again from your /cart."),
    (errors.EmptyCart(), "Your cart is empty. Add something from /restaurants first."),
    (errors.BelowMinimum(4450, 19900, "INR"),
     "The minimum order here is ₹199.00: please add ₹44.50 more."),
    (errors.SlotUnavailable(datetime(2026, 11, 30, 14, tzinfo=UTC)),
     "Sorry, that delivery time is no longer available. Please choose another."),
    (NoSlots("Dominos"), "Sorry, Dominos takes no orders for a later time today or tomorrow: "
                         "only as soon as possible."),
    (ChoiceRefused("Toppings: at most 3. Unpick one first."),
     "Toppings: at most 3. Unpick one first."),
    (LineClosed(42, "the order is finished"),
     "This line is closed: the order is finished. Thank you!"),
    (errors.DomainError("?"), "Sorry, that can't be done right now."),
])
def test_each_refusal_has_its_own_polite_wording(error: Exception, expected: str) -> None:
    assert texts.refusal(error) == expected


def test_user_text_is_escaped_in_html_screens() -> None:
    assert texts.greeting("<b>Ann</b>").startswith("Hi &lt;b&gt;Ann&lt;/b&gt;!")


def test_the_longest_menu_page_fits_in_one_telegram_message() -> None:
    most = 10**8  # the largest amount an admin can set: 1,000,000.00
    restaurant = Restaurant(RestaurantId(1), "R" * 64, "A" * 200, is_open=False,
                            delivery_fee=most, free_delivery_from=most, min_order=most)
    dishes = [
        MenuItem(MenuItemId(n), restaurant.id, f"{n:02}" + "N" * 62, 99_999_99, available=False,
                 description="<&>" * 100, category=f"{n:02}" + "C" * 62, photo_file_id="photo")
        for n in range(DISHES_PER_PAGE * 2)
    ]
    cart = CartView(restaurant, tuple(
        CartLineView(d.id, d.name, Money(d.price, "INR"), MAX_QUANTITY, True) for d in dishes
    ), "INR")
    page = MenuPage(restaurant, paginate(dishes, 0, DISHES_PER_PAGE), cart)

    plain = html.unescape(re.sub(r"<[^>]+>", "", texts.menu(page)))

    assert "page 1 of 2" in plain and len(plain) <= 4096


CAFE = Restaurant(RestaurantId(1), "Cafe", "MG Road", delivery_fee=4000,
                  free_delivery_from=50000, min_order=20000)


def cart_of(*lines: tuple[str, int, int]) -> CartView:
    return CartView(CAFE, tuple(
        CartLineView(MenuItemId(n), name, Money(price, "INR"), quantity, True)
        for n, (name, price, quantity) in enumerate(lines, 1)), "INR")


def test_the_cart_shows_delivery_and_what_free_delivery_and_the_minimum_still_need() -> None:
    small = texts.cart(cart_of(("Dip", 3500, 2)))
    assert "Items: ₹70.00\nDelivery: ₹40.00\n<b>Total: ₹110.00</b>" in small
    assert "Free delivery from ₹500.00: add ₹430.00 more" in small
    assert "Minimum order ₹200.00: add ₹130.00 more to check out" in small

    big = texts.cart(cart_of(("Pizza", 25000, 2)))
    assert "Items: ₹500.00\nDelivery: free\n<b>Total: ₹500.00</b>" in big
    assert "add" not in big


def test_a_menu_shows_the_restaurants_terms_and_what_the_cart_still_needs() -> None:
    page = texts.menu(MenuPage(CAFE, paginate([], 0, DISHES_PER_PAGE), cart_of(("Dip", 3500, 2))))
    assert "🛵 Delivery ₹40.00 · free from ₹500.00 · minimum order ₹200.00" in page
    assert "In your cart: 2 items · ₹70.00 · add ₹130.00 more to order" in page
    free = Restaurant(RestaurantId(2), "Free", "MG Road")
    empty = CartView(None, (), "INR")
    assert "🛵 Free delivery\n" in texts.menu(MenuPage(free, paginate([], 0, 8), empty))


def test_the_kitchens_time_is_shown_unless_it_hands_orders_over_at_once() -> None:
    slow = Restaurant(RestaurantId(1), "Cafe", "MG Road", prep_minutes=20)
    instant = Restaurant(RestaurantId(2), "Drinks", "MG Road", prep_minutes=0)
    page = paginate([Listed(slow, ALWAYS_OPEN), Listed(instant, ALWAYS_OPEN)], 0, 8)

    listed = texts.restaurants(page)

    assert "<b>Cafe</b> — MG Road · ~20 min\n<b>Drinks</b> — MG Road" in listed
    assert "~0 min" not in listed
    empty = CartView(None, (), "INR")
    assert texts.menu(MenuPage(slow, paginate([], 0, 8), empty)).startswith(
        "🍽 <b>Cafe</b>\nMG Road · ~20 min\n")
    assert texts.menu(MenuPage(instant, paginate([], 0, 8), empty)).startswith(
        "🍽 <b>Drinks</b>\nMG Road\n")


PLACED = datetime(2026, 11, 30, 5, 17, tzinfo=UTC)


def order_placed_at(at: datetime) -> Order:
    order = Order.place(customer_id=UserId(1001), restaurant_id=RestaurantId(1),
                        items=(OrderItem(1, "Pizza", 25000, 1),), currency="INR",
                        delivery=DeliveryDetails("12 Residency Road"), at=at)
    order.bind_id(OrderId(7))
    return order


def test_an_orders_times_are_shown_in_its_restaurants_local_time() -> None:
    order = order_placed_at(PLACED)
    history = tuple(order.new_events)

    kolkata = texts.tracking(OrderView(order, "Dominos", history, time_zone="Asia/Kolkata"))
    london = texts.tracking(OrderView(order, "Dominos", history, time_zone="Europe/London"))

    assert "30 Nov 10:47 IST · Placed" in kolkata and "30 Nov 05:17 GMT · Placed" in london
    assert "UTC" not in kolkata
    with pytest.raises(errors.InvalidInput, match="unknown time zone 'Mars/Olympus'"):
        Restaurant(RestaurantId(1), "Dominos", "MG Road", time_zone="Mars/Olympus")


def test_the_customers_timeline_says_why_an_order_ended_and_not_how_it_moved_on() -> None:
    order = order_placed_at(PLACED)
    s = OrderStatus
    history = (order.placing(),
               OrderEvent(order.id, s.CREATED, s.CONFIRMED, PLACED, SYSTEM),
               OrderEvent(order.id, s.CONFIRMED, s.PREPARING, PLACED, SYSTEM,
                          "no restaurant manager: auto-accepted"),
               OrderEvent(order.id, s.PREPARING, s.CANCELLED, PLACED, SYSTEM,
                          "Dominos is closed"))

    shown = texts.tracking(OrderView(order, "Dominos", history, time_zone="Asia/Kolkata"))

    assert "30 Nov 10:47 IST · Preparing\n" in shown and "auto-accepted" not in shown
    assert "30 Nov 10:47 IST · Cancelled (Dominos is closed)" in shown
