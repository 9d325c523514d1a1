"""Menu import from CSV: rows checked one by one, file-level errors up front, adds vs updates."""

import pytest

from domain.errors import InvalidInput
from domain.ids import MenuItemId, RestaurantId
from domain.menu_import import (
    MAX_ROWS,
    MenuDraft,
    MenuFileError,
    MenuImport,
    Rejection,
    decode_menu_file,
    parse_menu_csv,
    parse_price,
    plan_import,
)
from domain.restaurants import MAX_NAME, MenuItem

R = RestaurantId(3)


def parse(text: str, currency: str = "INR") -> MenuImport:
    return parse_menu_csv(text, R, currency)


def test_a_full_file_becomes_drafts_with_exact_minor_unit_prices() -> None:
    result = parse(
        "name,price,category,description,available\n"
        'Margherita,249.50,Pizzas,"Cheese, tomato, basil",yes\n'
        "Farmhouse,399,Pizzas,Onion and capsicum,\n"
        "Garlic bread,99,Sides,,no\n"
    )
    assert result.rejected == ()
    assert result.drafts == (
        MenuDraft(2, "Margherita", 24950, "Pizzas", "Cheese, tomato, basil", True),
        MenuDraft(3, "Farmhouse", 39900, "Pizzas", "Onion and capsicum", True),
        MenuDraft(4, "Garlic bread", 9900, "Sides", "", False),
    )


def test_header_names_are_case_insensitive_trimmed_and_in_any_order() -> None:
    result = parse(" Price , NAME \n250,Pizza\n")
    assert result.columns == ("price", "name")
    assert result.drafts == (MenuDraft(2, "Pizza", 25000),)


def test_optional_columns_left_out_are_none_and_new_dishes_get_the_defaults() -> None:
    [draft] = parse("name,price\nPizza,250\n").drafts
    assert (draft.category, draft.description, draft.available) == (None, None, None)
    item = draft.to_item(MenuItemId(9), R)
    assert (item.category, item.description, item.available) == ("Menu", "", True)


def test_an_empty_category_cell_means_menu() -> None:
    [draft] = parse("name,price,category\nPizza,250,\n").drafts
    assert draft.category == "Menu"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Pizza,abc", "price 'abc' is not an amount"),
        ("Pizza,", "price must not be empty"),
        ("Pizza,0", "price must be above zero"),
        ("Pizza,-5", "price '-5' is not an amount"),
        ("Pizza,249.505", "price '249.505' has more than 2 decimal places"),
        ("Pizza,2000000", "price '2000000' is above 1,000,000"),
        (",250", "name must not be empty"),
        ("  ,250", "name must not be empty"),
        ("P" * (MAX_NAME + 1) + ",250", f"name is longer than {MAX_NAME} characters"),
        ("Pizza,250,maybe", "available 'maybe' must be yes or no"),
        ("Pizza,250,yes,extra", '4 values but 3 columns (put a value holding the separator in '
                                '"double quotes")'),
    ],
)
def test_a_bad_row_is_rejected_with_its_line_and_a_human_reason(row: str, reason: str) -> None:
    result = parse(f"name,price,available\nGood,10\n{row}\n")
    assert result.rejected == (Rejection(3, reason),)
    assert [d.name for d in result.drafts] == ["Good"]


def test_a_name_used_twice_keeps_the_first_and_rejects_the_later_one() -> None:
    result = parse("name,price\nPizza,250\nCoke,60\npizza ,300\n")
    assert [d.name for d in result.drafts] == ["Pizza", "Coke"]
    assert result.rejected == (Rejection(4, "duplicate name 'pizza' (also on line 2)"),)


def test_line_numbers_count_blank_lines_and_quoted_line_breaks() -> None:
    text = 'name,price,description\n\nPizza,250,"two\nlines"\n\nCoke,abc,\n'
    result = parse(text)
    assert result.drafts[0].line == 3
    assert result.drafts[0].description == "two\nlines"
    assert result.rejected == (Rejection(6, "price 'abc' is not an amount"),)


def test_excel_files_with_a_bom_crlf_and_semicolons_are_read() -> None:
    result = parse("\ufeffname;price;category\r\nPizza;249,50;Pizzas\r\n")
    assert result.drafts == (MenuDraft(2, "Pizza", 24950, "Pizzas"),)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_semicolon_or_tab_separated_file_uses_the_decimal_comma(separator: str) -> None:
    rows = ["name", "price"], ["Soup", "12,50"], ["Rice", "90"], ["Tea", "12.50"], ["Dal", "1.500"]
    result = parse("".join(separator.join(row) + "\n" for row in rows))
    assert [(d.name, d.price) for d in result.drafts] == [("Soup", 1250), ("Rice", 9000)]
    assert result.rejected == (
        Rejection(4, "price '12.50' has a dot: use a comma for decimals: 12,50"),
        Rejection(5, "price '1.500' is ambiguous: it could mean 1500 or 1,5; write 1500, "
                     "or use a comma for decimals"),
    )


def test_a_comma_separated_file_refuses_a_decimal_comma_instead_of_misreading_it() -> None:
    result = parse('name,price\nSoup,"12,50"\nDal,"1,500"\nRice,"1,250.00"\nTea,12.50\n')
    assert result.drafts == (MenuDraft(5, "Tea", 1250),)
    assert result.rejected == (
        Rejection(2, "price '12,50' has a comma: use a dot for decimals: 12.50"),
        Rejection(3, "price '1,500' is ambiguous: it could mean 1500 or 1.5; write 1500, "
                     "or use a dot for decimals"),
        Rejection(4, "price '1,250.00' has thousands separators: write it without them: "
                     "1250.00"),
    )


def test_a_comma_separated_file_with_semicolons_in_values_stays_comma_separated() -> None:
    [draft] = parse("name,price,description\nPizza,250,cheese; tomato\n").drafts
    assert draft.description == "cheese; tomato"


def test_prices_follow_the_currency_exponent() -> None:
    [draft] = parse("name,price\nRamen,1200\n", currency="JPY").drafts
    assert draft.price == 1200
    assert parse("name,price\nRamen,12.5\n", currency="JPY").rejected == (
        Rejection(2, "price '12.5' must be a whole number"),
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("name,price,colour\nPizza,250,red\n", "unknown column 'colour'"),
        ("Pizza,250\n", "unknown column 'pizza'"),
        ("name,category\nPizza,Pizzas\n", "the column 'price' is missing"),
        ("price\n250\n", "the column 'name' is missing"),
        ("name,price,Name\n", "column 'name' appears twice"),
        ("name,,price\n", "column 2 has no name"),
    ],
)
def test_a_bad_header_rejects_the_whole_file(text: str, problem: str) -> None:
    with pytest.raises(MenuFileError, match=problem):
        parse(text)


def test_the_header_error_lists_the_columns_it_accepts() -> None:
    with pytest.raises(MenuFileError, match="name, price, category, description, available"):
        parse("dish,price\n")


def test_more_rows_than_the_limit_reject_the_file() -> None:
    ok = "name,price\n" + "".join(f"Dish {i},10\n" for i in range(MAX_ROWS))
    assert len(parse(ok).drafts) == MAX_ROWS
    with pytest.raises(MenuFileError, match=f"more than {MAX_ROWS} dishes"):
        parse(ok + "One more,10\n")


def test_a_huge_file_is_rejected_before_parsing() -> None:
    with pytest.raises(MenuFileError, match="too big"):
        parse("name,price\n" + "x" * 300_000)


def test_uploaded_bytes_are_decoded_as_utf8_with_or_without_a_bom() -> None:
    assert decode_menu_file("\ufeffname,price\nDosa ₹,90\n".encode()) == "name,price\nDosa ₹,90\n"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"PK\x03\x04rest-of-a-zip", "spreadsheet workbook"),
        ("name,price\nCafé,90\n".encode("latin-1"), "not UTF-8"),
        (b"name,price\x00\x00", "not a text file"),
    ],
)
def test_files_that_are_not_csv_text_get_a_clear_error(data: bytes, problem: str) -> None:
    with pytest.raises(MenuFileError, match=problem):
        decode_menu_file(data)


def test_a_file_error_is_an_invalid_input_the_bot_already_knows_how_to_word() -> None:
    assert issubclass(MenuFileError, InvalidInput)


def test_parse_price_is_shared_with_the_admin_commands() -> None:
    assert parse_price(" 1200.5 ", "INR") == 120050
    with pytest.raises(InvalidInput, match="not an amount"):
        parse_price("₹250", "INR")
    with pytest.raises(InvalidInput, match=r"^price '1,50' has a comma: use a dot for "
                                           r"decimals: 1\.50$"):
        parse_price("1,50", "INR")


PIZZA = MenuItem(MenuItemId(1), R, "Pizza", 25000, category="Pizzas", photo_file_id="ph1")
COKE = MenuItem(MenuItemId(2), R, "Coke", 6000, category="Drinks", description="Chilled")


def test_plan_adds_new_names_updates_changed_ones_and_keeps_identical_ones() -> None:
    drafts = parse("name,price\nPIZZA,260\nCoke,60\nDosa,90\n").drafts
    plan = plan_import(drafts, [PIZZA, COKE])
    assert [d.name for d in plan.to_add] == ["Dosa"]
    assert [(i.id, i.name, i.price) for i in plan.to_update] == [(1, "PIZZA", 26000)]
    assert [i.id for i in plan.unchanged] == [2]


def test_an_update_keeps_the_photo_and_the_columns_the_file_left_out() -> None:
    [draft] = parse("name,price\nPizza,260\n").drafts
    [updated] = plan_import([draft], [PIZZA]).to_update
    assert updated.photo_file_id == "ph1"
    assert updated.category == "Pizzas"


def test_an_update_applies_columns_that_are_in_the_file_even_when_empty() -> None:
    [draft] = parse("name,price,description,available\nCoke,60,,no\n").drafts
    [updated] = plan_import([draft], [COKE]).to_update
    assert (updated.description, updated.available) == ("", False)


def test_a_match_takes_the_spelling_in_the_file() -> None:
    [draft] = parse("name,price\ncoke,60\n").drafts
    [updated] = plan_import([draft], [COKE]).to_update
    assert (updated.id, updated.name) == (2, "coke")


def test_names_match_ignoring_case_and_repeated_spaces_and_the_lowest_id_wins() -> None:
    twin = MenuItem(MenuItemId(7), R, "garlic  bread", 9900)
    first = MenuItem(MenuItemId(5), R, "Garlic Bread", 9900)
    [draft] = parse("name,price\nGarlic bread,120\n").drafts
    assert [i.id for i in plan_import([draft], [twin, first]).to_update] == [5]


def test_plan_refuses_dishes_from_several_restaurants() -> None:
    other = MenuItem(MenuItemId(8), RestaurantId(4), "Idli", 5000)
    with pytest.raises(ValueError, match="one restaurant"):
        plan_import([], [PIZZA, other])
