"""Dish options as text: one syntax for /setgroup and the menu file's options column, read and
written back the same, and rewritten groups that keep the ids carts hold."""

from dataclasses import replace

import pytest

from domain.errors import InvalidInput
from domain.ids import MenuItemId, RestaurantId
from domain.menu_export import menu_file, write_menu_csv
from domain.menu_import import decode_menu_file, parse_menu_csv, plan_import
from domain.option_specs import format_groups, parse_groups, with_group, with_ids
from domain.options import Option, OptionGroup
from domain.restaurants import MenuItem

R = RestaurantId(3)
SIZE = OptionGroup("Size", (Option(1, "Regular"), Option(2, "Medium", 10000),
                            Option(3, "Large", 20000, available=False)))
TOPPINGS = OptionGroup("Toppings", (Option(4, "Olives", 3000), Option(5, "Extra cheese", 5000)),
                       0, 3)
CELL = "Size=1: Regular, Medium +100, Large +200; Toppings=0-3: Olives +30, Extra cheese +50"


def test_a_cell_is_groups_separated_by_semicolons_numbered_across_the_dish() -> None:
    assert parse_groups(CELL, "INR") == (replace(SIZE, options=(
        *SIZE.options[:2], replace(SIZE.options[2], available=True))), TOPPINGS)
    assert parse_groups("  ", "INR") == () and parse_groups("Dip=0-1: Salsa;", "INR") == (
        OptionGroup("Dip", (Option(1, "Salsa"),), 0, 1),)


def test_groups_are_written_as_they_are_read_with_either_decimal_mark() -> None:
    groups = (OptionGroup("Size", (Option(1, "Regular"), Option(2, "Large", 24950))),)
    assert format_groups(groups, "INR") == "Size=1: Regular, Large +249.50"
    assert format_groups(groups, "INR", decimal_mark=",") == "Size=1: Regular, Large +249,50"
    for mark in ".,":
        written = format_groups((SIZE, TOPPINGS), "INR", decimal_mark=mark)
        assert with_ids((SIZE, TOPPINGS), parse_groups(written, "INR", decimal_mark=mark)) == (
            SIZE, TOPPINGS)


def test_a_decimal_comma_inside_a_price_is_not_an_option_separator() -> None:
    [size] = parse_groups("Size=1: Regular, Large +249,50, XL +300", "INR", decimal_mark=",")
    assert [(o.name, o.price) for o in size.options] == [
        ("Regular", 0), ("Large", 24950), ("XL", 30000)]
    with pytest.raises(InvalidInput, match=r"use a dot for decimals: 249\.50"):
        parse_groups("Size=1: Regular, Large +249,50", "INR")


@pytest.mark.parametrize(("cell", "problem"), [
    ("Size: Regular", "must be written GROUP=CHOOSE: OPTION"),
    ("Size=1 Regular", "must be written GROUP=CHOOSE: OPTION"),
    ("Size=0: Regular", "CHOOSE must be N or MIN-MAX"),
    ("Size=1: Regular; size=1: Large", "two option groups have the same name"),
    ("A=1: a; B=1: b; C=1: c; D=1: d; E=1: e; F=1: f", "at most 5 option groups"),
    ("Toppings=0-1: " + ", ".join(f"T{n}" for n in range(25)), "at most 24 options in all"),
    ("Size=1: Regular, Large +1000001", "is above 1,000,000"),
])
def test_a_bad_cell_says_why(cell: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_groups(cell, "INR")


def test_a_group_written_again_keeps_the_ids_and_availability_of_options_named_as_before(
) -> None:
    [size] = parse_groups("SIZE=1: regular +10, Large +250, Family +400", "INR")
    groups = with_group((SIZE, TOPPINGS), size)
    assert groups[0] == OptionGroup("SIZE", (
        Option(1, "regular", 1000), Option(3, "Large", 25000, available=False),
        Option(6, "Family", 40000)))
    assert groups[1] == TOPPINGS  # a replaced group keeps its place


def test_a_new_group_goes_last_and_never_takes_the_id_of_an_option_dropped_now() -> None:
    [dip] = parse_groups("Dip=0-1: Salsa", "INR")
    assert with_group((SIZE,), dip) == (SIZE, OptionGroup("Dip", (Option(4, "Salsa"),), 0, 1))
    [smaller] = parse_groups("Size=1: Regular, Medium +100", "INR")
    [again] = parse_groups("Size=1: Regular, XL +300", "INR")
    assert with_ids((SIZE,), [again])[0].options[1].id == 4  # Medium's 2 and Large's 3 dropped
    assert with_ids((SIZE,), [smaller])[0].options == SIZE.options[:2]


def test_an_option_moved_to_another_group_is_a_new_option() -> None:
    [extras] = parse_groups("Extras=0-1: Olives +30", "INR")
    assert with_ids((TOPPINGS,), [extras])[0].options == (Option(6, "Olives", 3000),)


# the menu file's options column -----------------------------------------------------------

def dish(item_id: int, name: str, price: int, *groups: OptionGroup, **fields: object) -> MenuItem:
    return MenuItem(MenuItemId(item_id), R, name, price, groups=groups, **fields)  # type: ignore[arg-type]


def test_the_options_column_sets_keeps_or_clears_a_dishs_options() -> None:
    pizza, soup = dish(7, "Pizza", 39900, SIZE, TOPPINGS), dish(8, "Soup", 9000)
    parsed = parse_menu_csv(
        "name,price,options\n"
        'Pizza,399,"Size=1: Regular, Medium +100, Large +220"\n'
        "Soup,90,\n"
        'Bread,99,"Dip=0-1: Salsa, Mint +20"\n', R, "INR")
    plan = plan_import(parsed.drafts, [pizza, soup])

    [updated] = plan.to_update
    assert updated.groups == (replace(SIZE, options=(
        *SIZE.options[:2], replace(SIZE.options[2], price=22000))),)  # Large stays unavailable
    assert [i.name for i in plan.unchanged] == ["Soup"]
    [bread] = plan.to_add
    assert bread.to_item(MenuItemId(9), R).groups == (
        OptionGroup("Dip", (Option(1, "Salsa"), Option(2, "Mint", 2000)), 0, 1),)
    without_column = parse_menu_csv("name,price\nPizza,399\n", R, "INR")
    assert plan_import(without_column.drafts, [pizza]).unchanged == (pizza,)
    cleared = parse_menu_csv("name,price,options\nPizza,399,\n", R, "INR")
    assert plan_import(cleared.drafts, [pizza]).to_update == (replace(pizza, groups=()),)


def test_a_bad_options_cell_rejects_its_row_with_the_line_and_the_reason() -> None:
    parsed = parse_menu_csv('name,price,options\nPizza,399,"Size=2: Regular"\nSoup,90,\n',
                            R, "INR")
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (2, "Size: asks for 2 of only 1 options")]
    assert [d.name for d in parsed.drafts] == ["Soup"]


def test_a_semicolon_separated_file_writes_option_prices_with_a_decimal_comma() -> None:
    parsed = parse_menu_csv('name;price;options\nPizza;249,50;"Size=1: Regular, Large +20,50"\n',
                            R, "INR")
    [draft] = parsed.drafts
    assert (draft.price, draft.groups) == (24950, (OptionGroup(
        "Size", (Option(1, "Regular"), Option(2, "Large", 2050))),))


# the export ---------------------------------------------------------------------------------

def test_an_exported_menu_imports_back_with_every_dish_unchanged() -> None:
    menu = [
        dish(7, "Farmhouse Pizza", 24950, SIZE, TOPPINGS, category="Pizzas",
             description='Onion, capsicum and "fresh" tomato'),
        dish(8, "Garlic bread", 9900, category="Sides", available=False),
        dish(9, "Chaas", 5000, description="Spiced\nbuttermilk", photo_file_id="AgAC", stock=3),
    ]
    text = decode_menu_file(menu_file(menu, "INR"))
    assert text.splitlines()[:2] == [
        "name,price,category,description,available,options",
        'Farmhouse Pizza,249.50,Pizzas,"Onion, capsicum and ""fresh"" tomato",yes,"Size=1: '
        'Regular, Medium +100, Large +200; Toppings=0-3: Olives +30, Extra cheese +50"']

    parsed = parse_menu_csv(text, R, "INR")
    plan = plan_import(parsed.drafts, menu)
    assert parsed.rejected == () and plan.to_add == () and plan.to_update == ()
    assert plan.unchanged == tuple(menu)


def test_an_empty_menu_exports_only_the_header() -> None:
    assert write_menu_csv([], "INR") == "name,price,category,description,available,options\r\n"
