"""Dish options: groups and their rules, picking on the card, cart lines and their prices."""

from dataclasses import replace

import pytest

from domain.card import DishCard
from domain.cart import Cart, LineKey
from domain.checkout import snapshot_of
from domain.errors import InvalidInput, ItemUnavailable, OutOfStock
from domain.ids import MenuItemId, RestaurantId, UserId
from domain.options import (
    MAX_OPTIONS,
    ChoiceRefused,
    Option,
    OptionGroup,
    defaults,
    fingerprint,
    from_mask,
    label,
    lowest_extra,
    to_mask,
    toggle,
)
from domain.restaurants import MenuItem
from domain.views import cart_view

SIZE = OptionGroup("Size", (Option(1, "Regular"), Option(2, "Medium", 10000),
                            Option(3, "Large", 20000)))
TOPPINGS = OptionGroup("Toppings", (Option(4, "Olives", 3000), Option(5, "Jalapeño", 3000),
                                    Option(6, "Extra cheese", 5000)), least=0, most=2)
PIZZA = MenuItem(MenuItemId(1), RestaurantId(1), "Margherita", 24900, groups=(SIZE, TOPPINGS))
COKE = MenuItem(MenuItemId(2), RestaurantId(1), "Coke", 6000)
MENU = {PIZZA.id: PIZZA, COKE.id: COKE}
GROUPS = PIZZA.groups


def test_a_group_says_how_many_to_pick() -> None:
    assert (SIZE.rule, SIZE.chooses, SIZE.single) == ("choose 1", "1", True)
    assert (TOPPINGS.rule, TOPPINGS.chooses, TOPPINGS.single) == ("up to 2", "0-2", False)
    assert OptionGroup("Sauce", (Option(1, "Mint"),), least=0).rule == "optional"
    assert OptionGroup("Dips", (Option(1, "A"), Option(2, "B")), 1, 2).rule == "choose 1 to 2"


@pytest.mark.parametrize("bad", [
    lambda: OptionGroup("Size", ()),  # no options
    lambda: OptionGroup("Size", (Option(1, "A"),), least=2, most=2),  # more than it has
    lambda: OptionGroup("Size", (Option(1, "A"),), least=0, most=0),  # picks nothing
    lambda: OptionGroup("Size", (Option(1, "A"), Option(2, "a"))),  # the same name twice
    lambda: Option(1, "Large", -100),  # an option cannot lower the price
    lambda: Option(0, "Large"),
    lambda: replace(PIZZA, groups=(SIZE, SIZE)),  # two groups of one name
    lambda: replace(PIZZA, groups=(SIZE, OptionGroup("Crust", (Option(1, "Thin"),)))),  # ids
    lambda: replace(PIZZA, groups=tuple(
        OptionGroup(f"G{n}", (Option(n + 1, "A"),), least=0) for n in range(6))),
    lambda: replace(PIZZA, groups=(OptionGroup("Many", tuple(
        Option(n + 1, f"O{n}") for n in range(MAX_OPTIONS + 1)), least=0),)),
])
def test_groups_that_make_no_sense_are_refused(bad) -> None:
    with pytest.raises(InvalidInput):
        bad()


def test_picking_checks_each_group_and_keeps_menu_order() -> None:
    picked = PIZZA.pick([6, 3])
    assert label(picked) == "Large, Extra cheese"
    assert PIZZA.price_with(picked) == 24900 + 20000 + 5000
    with pytest.raises(ChoiceRefused, match="please pick Size"):
        PIZZA.pick([4])  # no size
    with pytest.raises(ChoiceRefused):
        PIZZA.pick([1, 2])  # two sizes
    with pytest.raises(ChoiceRefused):
        PIZZA.pick([1, 4, 5, 6])  # three toppings of two
    with pytest.raises(ItemUnavailable):
        PIZZA.pick([1, 99])  # an option it does not have
    gone = replace(PIZZA, groups=(replace(SIZE, options=(
        Option(1, "Regular"), Option(2, "Medium", 10000), Option(3, "Large", 20000, False))),
        TOPPINGS))
    with pytest.raises(ItemUnavailable, match=r"Margherita \(Large\)"):
        gone.pick([3])


def test_the_card_starts_with_the_first_size_and_toggles_as_a_customer_expects() -> None:
    chosen = defaults(GROUPS)
    assert chosen == {1}
    chosen = toggle(GROUPS, chosen, 3)  # another size replaces the first
    assert chosen == {3}
    assert toggle(GROUPS, chosen, 3) == {3}  # a required size cannot be unpicked
    chosen = toggle(GROUPS, toggle(GROUPS, chosen, 4), 6)
    assert chosen == {3, 4, 6}
    with pytest.raises(ChoiceRefused, match="at most 2"):
        toggle(GROUPS, chosen, 5)
    assert toggle(GROUPS, chosen, 4) == {3, 6}  # a topping pressed again is unpicked


def test_an_unavailable_option_cannot_be_picked_on_the_card() -> None:
    groups = (replace(SIZE, options=(Option(1, "Regular"), Option(3, "Large", 0, False))),)
    assert defaults(groups) == {1}
    with pytest.raises(ItemUnavailable):
        toggle(groups, frozenset({1}), 3)


def test_a_choice_travels_in_a_mask_tied_to_the_options_it_was_made_for() -> None:
    mask = to_mask(GROUPS, {3, 6})
    assert mask == 0b100100 and from_mask(GROUPS, mask) == {3, 6}
    assert from_mask(GROUPS, 1 << 23) == frozenset()  # past the options: nothing
    renamed = (replace(SIZE, options=(*SIZE.options, Option(7, "Family", 30000))), TOPPINGS)
    assert fingerprint(renamed) != fingerprint(GROUPS)


def test_the_card_shows_its_price_and_what_is_still_to_pick() -> None:
    dips = OptionGroup("Dips", (Option(8, "Mint"), Option(9, "Garlic", 2000)), 1, 2)
    item = replace(PIZZA, groups=(SIZE, dips))
    card = DishCard(item, frozenset({3}), "INR")
    assert card.price.amount == 24900 + 20000
    assert card.missing == "Dips: choose 1 to 2"
    assert DishCard(item, frozenset({3, 9}), "INR").missing is None
    assert lowest_extra(item.groups) == 0  # Regular and Mint
    assert lowest_extra((replace(dips, least=2),)) == 2000


def test_one_dish_with_other_options_is_another_cart_line() -> None:
    cart = Cart(UserId(1))
    large = cart.add(PIZZA, options=[3, 4])
    regular = cart.add(PIZZA, options=[1])
    assert cart.add(PIZZA, options=[4, 3]) == large  # the same choice, in any order
    cart.add(COKE)
    assert cart.lines == {large: 2, regular: 1, LineKey(COKE.id): 1}
    assert cart.quantities == {PIZZA.id: 3, COKE.id: 1}
    assert cart.find(PIZZA.id, large.ref) == large and cart.find(PIZZA.id, 0) is None
    priced = cart.price(MENU, "INR")
    assert [(line.name, label(line.options), line.unit_price, line.quantity)
            for line in priced.lines] == [
        ("Margherita", "Large, Olives", 24900 + 20000 + 3000, 2),
        ("Margherita", "Regular", 24900, 1), ("Coke", "", 6000, 1)]
    assert [item.choices for item in priced.order_items()] == ["Large, Olives", "Regular", ""]
    assert snapshot_of(priced)[0].options == (3, 4)
    with pytest.raises(ChoiceRefused):
        cart.add(PIZZA, options=[4])  # no size: nothing added
    assert cart.item_count == 4


def test_stock_counts_a_dish_across_its_lines() -> None:
    few = replace(PIZZA, stock=3)
    cart = Cart(UserId(1))
    cart.add(few, 2, options=[1])
    with pytest.raises(OutOfStock):
        cart.add(few, 2, options=[3])
    cart.add(few, 1, options=[3])
    cart.limit(few.id, 2)  # only two left now: the line added last gives way
    assert cart.lines == {LineKey(few.id, (1,)): 2}


def test_a_line_whose_option_went_away_is_shown_unavailable_and_not_counted() -> None:
    cart = Cart(UserId(1))
    key = cart.add(PIZZA, options=[3])
    cart.add(COKE)
    smaller = replace(PIZZA, groups=(replace(SIZE, options=SIZE.options[:2]), TOPPINGS))
    menu = {PIZZA.id: smaller, COKE.id: COKE}
    assert cart.unavailable(menu) == [key]
    view = cart_view(cart, menu, None, "INR")
    assert [(line.available, line.choices) for line in view.lines] == [(False, ""), (True, "")]
    assert view.total.amount == 6000
    with pytest.raises(ItemUnavailable):
        cart.price(menu, "INR")
