"""Cart rules and pricing in integer minor units."""

import pytest

from domain.cart import MAX_QUANTITY, Cart, LineKey
from domain.errors import (
    EmptyCart,
    InvalidInput,
    InvalidQuantity,
    ItemUnavailable,
    NotFound,
    OtherRestaurantInCart,
)
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.money import AmountError, Money, parse_amount
from domain.restaurants import MenuItem

PIZZA = MenuItem(MenuItemId(1), RestaurantId(1), "Pizza", 25000)
COKE = MenuItem(MenuItemId(2), RestaurantId(1), "Coke", 6050)
DOSA = MenuItem(MenuItemId(3), RestaurantId(2), "Dosa", 9000)
SOLD_OUT = MenuItem(MenuItemId(4), RestaurantId(1), "Garlic bread", 9900, available=False)
MENU = {i.id: i for i in (PIZZA, COKE, DOSA, SOLD_OUT)}


def test_quantities_add_up_and_total_is_exact_in_minor_units() -> None:
    cart = Cart(UserId(1))
    cart.add(PIZZA)
    cart.add(PIZZA)
    cart.add(COKE, 3)
    priced = cart.price(MENU, "INR")
    assert cart.item_count == 5
    assert priced.total == Money(2 * 25000 + 3 * 6050, "INR")
    assert priced.total.format() == "₹681.50"


def test_a_cart_holds_one_restaurant_at_a_time() -> None:
    cart = Cart(UserId(1))
    cart.add(PIZZA)
    with pytest.raises(OtherRestaurantInCart):
        cart.add(DOSA)
    assert cart.quantities == {PIZZA.id: 1}
    cart.add(DOSA, replace_other=True)
    assert cart.quantities == {DOSA.id: 1}
    assert cart.restaurant_id == DOSA.restaurant_id


def test_an_unavailable_item_cannot_be_added() -> None:
    cart = Cart(UserId(1))
    with pytest.raises(ItemUnavailable):
        cart.add(SOLD_OUT)
    assert cart.is_empty


def test_an_item_that_became_unavailable_refuses_pricing() -> None:
    cart = Cart(UserId(1))
    cart.add(PIZZA)
    now_sold_out = dict(MENU)
    now_sold_out[PIZZA.id] = MenuItem(PIZZA.id, PIZZA.restaurant_id, "Pizza", 25000, False)
    with pytest.raises(ItemUnavailable):
        cart.price(now_sold_out, "INR")


def test_pricing_uses_current_prices() -> None:
    cart = Cart(UserId(1))
    cart.add(PIZZA, 2)
    dearer = dict(MENU)
    dearer[PIZZA.id] = MenuItem(PIZZA.id, PIZZA.restaurant_id, "Pizza", 27500)
    assert cart.price(dearer, "INR").total.amount == 55000


def test_a_deleted_item_refuses_pricing() -> None:
    cart = Cart(UserId(1))
    cart.add(PIZZA)
    with pytest.raises(NotFound):
        cart.price({}, "INR")


def test_an_empty_cart_cannot_be_priced() -> None:
    with pytest.raises(EmptyCart):
        Cart(UserId(1)).price(MENU, "INR")


def test_removing_the_last_line_frees_the_restaurant() -> None:
    cart = Cart(UserId(1))
    cart.add(PIZZA)
    cart.remove(LineKey(PIZZA.id))
    assert cart.is_empty and cart.restaurant_id is None
    cart.add(DOSA)
    assert cart.restaurant_id == DOSA.restaurant_id


@pytest.mark.parametrize("bad", [-1, MAX_QUANTITY + 1])
def test_quantities_stay_in_range(bad: int) -> None:
    cart = Cart(UserId(1))
    cart.add(PIZZA)
    with pytest.raises(InvalidQuantity):
        cart.set_quantity(LineKey(PIZZA.id), bad)
    assert cart.quantities == {PIZZA.id: 1}


@pytest.mark.parametrize(
    ("text", "minor"), [("250", 25000), ("249.5", 24950), ("0.99", 99), (" 007.50 ", 750)]
)
def test_major_unit_amounts_parse_exactly(text: str, minor: int) -> None:
    assert Money.parse(text, "INR").amount == minor


@pytest.mark.parametrize(
    "text", ["", "abc", "1.234", "-5", "+5", "1e3", "2.5.1", "₹250", "250 INR", "1 250", ".5",
             "5.", "٢٥٠", "２５０", "1,250.00"])
def test_malformed_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Money.parse(text, "INR")


@pytest.mark.parametrize(
    ("text", "mark", "minor"),
    [("12,50", ",", 1250), ("12,5", ",", 1250), ("1250", ",", 125000), ("12.50", ".", 1250)],
)
def test_an_amount_is_read_with_the_decimal_mark_of_its_context(
    text: str, mark: str, minor: int
) -> None:
    assert parse_amount(text, "INR", decimal_mark=mark) == minor


@pytest.mark.parametrize(
    ("text", "mark", "reason"),
    [
        ("1,50", ".", "has a comma: use a dot for decimals: 1.50"),
        ("12.50", ",", "has a dot: use a comma for decimals: 12,50"),
        ("1,500", ".", "is ambiguous: it could mean 1500 or 1.5; write 1500, or use a dot "
                       "for decimals"),
        ("1.500", ",", "is ambiguous: it could mean 1500 or 1,5; write 1500, or use a comma "
                       "for decimals"),
        ("2,000", ".", "is ambiguous: it could mean 2000 or 2; write 2000, or use a dot "
                       "for decimals"),
        ("1,250.00", ".", "has thousands separators: write it without them: 1250.00"),
        ("1.250,00", ",", "has thousands separators: write it without them: 1250,00"),
        ("1,500,000", ".", "has thousands separators: write it without them: 1500000"),
        ("2.505", ".", "has more than 2 decimal places"),
        ("2,505", ",", "has more than 2 decimal places"),
        ("1,2,3", ".", "is not an amount"),
        ("9" * 16, ".", "is too large"),
        ("0" * 5000 + "1", ".", None),  # leading zeros: no int() digit limit trips
    ],
)
def test_an_amount_that_could_be_misread_is_refused_with_the_reason(
    text: str, mark: str, reason: str | None
) -> None:
    if reason is None:
        assert parse_amount(text, "INR", decimal_mark=mark) == 100
        return
    with pytest.raises(AmountError) as refused:
        parse_amount(text, "INR", decimal_mark=mark)
    assert str(refused.value) == reason


def test_the_currency_decides_how_many_decimal_places_an_amount_may_have() -> None:
    assert parse_amount("1200", "JPY") == 1200
    assert parse_amount("1.234", "BHD") == 1234
    with pytest.raises(AmountError, match="must be a whole number"):
        parse_amount("12.5", "JPY")


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(2.5, "INR")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(1, "INR") + Money(1, "USD")


def test_menu_items_need_a_positive_price_and_a_name() -> None:
    with pytest.raises(InvalidInput):
        MenuItem(MenuItemId(9), RestaurantId(1), "Free lunch", 0)
    with pytest.raises(InvalidInput):
        MenuItem(MenuItemId(9), RestaurantId(1), "   ", 100)
