"""Admin command arguments: every example parses, malformed input replies with syntax + example."""

import re
from datetime import date

import pytest

from bot.admin.commands import (
    AddFood,
    AddPromo,
    AddRestaurant,
    AdminCommand,
    AdminHelp,
    ApprovePartner,
    Audit,
    CancelOrder,
    CloseLine,
    DropGroup,
    EditFood,
    EditRestaurant,
    EndPromo,
    ExportMenu,
    ImportMenu,
    LinkManager,
    ListDeadLetters,
    ListOrders,
    ListPartners,
    ListPromos,
    ListRefunds,
    MakeInvite,
    MarkRefunded,
    RetryTask,
    RevokePartner,
    SetAvailable,
    SetClosedDay,
    SetGroup,
    SetHours,
    SetKitchenAnswer,
    SetOpen,
    SetOptionAvailable,
    SetPhoto,
    SetPrice,
    SetStock,
    SetTerms,
    SetTimeZone,
    SetTravel,
    ShowOptions,
    ShowOrder,
    Stats,
)
from bot.admin.specs import (
    COMMANDS,
    ArgumentError,
    CommandSpec,
    UnknownCommand,
    parse_admin_command,
    split_command,
)
from domain.hours import parse_hours
from domain.ids import MenuItemId, OrderId, RestaurantId, TaskId, UserId
from domain.options import Option, OptionGroup
from domain.orders import OrderStatus
from domain.restaurants import MAX_DESCRIPTION, MAX_NAME, Unanswered

R3, ITEM12, ORDER42 = RestaurantId(3), MenuItemId(12), OrderId(42)

EXAMPLES: dict[str, AdminCommand] = {
    "addrestaurant": AddRestaurant("Dominos", "MG Road, Bengaluru", 20),
    "editrestaurant": EditRestaurant(R3, "Dominos Pizza", None, 25),
    "openrestaurant": SetOpen(R3, True),
    "closerestaurant": SetOpen(R3, False),
    "linkmanager": LinkManager(R3, -1001234567890),
    "fees": SetTerms(R3, 4000, 50000, 19900),
    "kitchen": SetKitchenAnswer(R3, 5, Unanswered.ACCEPT),
    "timezone": SetTimeZone(R3, "Asia/Kolkata"),
    "travel": SetTravel(R3, 25, (12.9756, 77.6067), True),
    "hours": SetHours(R3, parse_hours("mon-fri 11:00-23:00 | sat-sun 10:00-23:30")),
    "closed": SetClosedDay(R3, date(2026, 12, 25)),
    "addfood": AddFood(R3, "Pizza", 25000, "Pizzas", "Cheese, tomato"),
    "editfood": EditFood(ITEM12, None, 26000, None, "Cheese, tomato, basil"),
    "setprice": SetPrice(ITEM12, 24950),
    "stock": SetStock(ITEM12, 40),
    "soldout": SetStock(ITEM12, 0, for_today=True),
    "hidefood": SetAvailable(ITEM12, False),
    "showfood": SetAvailable(ITEM12, True),
    "photo": SetPhoto(ITEM12),
    "importmenu": ImportMenu(R3),
    "exportmenu": ExportMenu(R3),
    "options": ShowOptions(ITEM12),
    "setgroup": SetGroup(ITEM12, OptionGroup(
        "Size", (Option(1, "Regular"), Option(2, "Medium", 10000), Option(3, "Large", 20000)))),
    "dropgroup": DropGroup(ITEM12, "Toppings"),
    "option": SetOptionAvailable(ITEM12, "Size", "Large", False),
    "partners": ListPartners(),
    "approve": ApprovePartner(UserId(123456789)),
    "revoke": RevokePartner(UserId(123456789)),
    "invite": MakeInvite(),
    "allorders": ListOrders(OrderStatus.OUT_FOR_DELIVERY),
    "showorder": ShowOrder(ORDER42),
    "cancelorder": CancelOrder(ORDER42, "Restaurant ran out of cheese"),
    "closeline": CloseLine(ORDER42),
    "addpromo": AddPromo("SAVE10", 10, None, 30000, date(2026, 12, 31), 100, 1),
    "promos": ListPromos(),
    "endpromo": EndPromo("SAVE10"),
    "refunds": ListRefunds(),
    "refunded": MarkRefunded(3, "Refunded at the provider, ref re_81422"),
    "deadletters": ListDeadLetters(),
    "retry": RetryTask(TaskId(7)),
    "stats": Stats(),
    "audit": Audit(50),
    "admin": AdminHelp(),
}

LONG_NAME = "N" * (MAX_NAME + 1)
MALFORMED: dict[str, list[str]] = {
    "addrestaurant": ["", "Dominos", "Dominos MG Road 20", "Dominos | MG Road | 241",
                      "Dominos | MG Road | -5", "Dominos | MG Road | 20 min", " | MG Road | 20",
                      f"{LONG_NAME} | MG Road", "Dominos | " + "A" * 201, "a | b | 20 | x"],
    "editrestaurant": ["", "3", "3 | |", "x Dominos", "0 Dominos", "3 | | 999"],
    "openrestaurant": ["", "x", "0", "-3", "3 4", "3.5"],
    "closerestaurant": ["", "three", "3 now"],
    "linkmanager": ["", "3", "3 abc", "3 0", "x -100", "3 12 13"],
    "hours": ["", "3", "3 mon", "3 mon 9-5", "3 xyz 11:00-12:00", "3 mon 12:00-11:00"],
    "closed": ["", "3", "3 25-12-2026", "3 2026-02-30", "3 2026-12-25 | shut", "x 2026-12-25"],
    "travel": ["", "3", "3 241", "3 -5", "3 20 min", "x 20", "3 20 | 12.97", "3 20 | 91, 77",
               "3 20 | north, east", "3 20 | 12.9, 77.6 | x", "3 20 | nan, 77"],
    "timezone": ["", "3", "3 Mars/Olympus", "x Asia/Kolkata", "3 ../../etc/passwd"],
    "kitchen": ["", "3", "3 0", "3 61", "3 five", "3 5 | later", "3 5 | accept | x",
                "x 5"],
    "fees": ["", "3", "3 | |", "x 40", "3 -40", "3 40.505", "3 4,50", "3 40 | free",
             "3 40 | 500 | 199 | 1", "3 " + "9" * 20, "3 | 2000000"],
    "addfood": ["", "3", "3 Pizza", "3 Pizza 250", "Pizza | 250", "3 Pizza | abc",
                "3 Pizza | 0", "3 Pizza | -250", "3 Pizza | 250.505", "3 | 250",
                f"3 {LONG_NAME} | 250", "3 Pizza | 250 | " + "C" * (MAX_NAME + 1),
                "3 Pizza | 250 | Pizzas | " + "d" * (MAX_DESCRIPTION + 1),
                "3 Pizza | 250 | Pizzas | ok | extra"],
    "editfood": ["", "12", "12 | | |", "12 | abc", "x Pizza", "12 a | b | c | d | e"],
    "setprice": ["", "12", "12 abc", "12 0", "x 250", "12 250 300"],
    "stock": ["", "12", "12 -1", "12 many", "12 100001", "x 4", "12 4 5"],
    "soldout": ["", "pizza", "12 13"],
    "hidefood": ["", "pizza", "12 13"],
    "showfood": ["", "#", "1e3"],
    "photo": ["", "x", "12 big"],
    "importmenu": ["", "Dominos", "3 menu.csv"],
    "exportmenu": ["", "Dominos", "3 menu.csv", "0"],
    "options": ["", "pizza", "12 Size", "0"],
    "setgroup": ["", "12", "12 Size", "12 Size | 1", "12 Size | 1 |", "Size | 1 | Regular",
                 "12 Size | 1 | Regular | Large", "12 Size | one | Regular",
                 "12 Size | 0 | Regular", "12 Size | 2-1 | Regular, Large",
                 "12 Size | 2 | Regular", "12 Toppings | 3-4 | Olives, Cheese",
                 "12 Size | 1 | Regular, regular", "12 Size | 1 | Regular,, Large",
                 "12 Size | 1 | Regular, Large +abc", "12 Size | 1 | Large +50 +60",
                 "12 Size | 1 | Regular, Large +1,50", "12 Size | 1 | Regular, Large +",
                 "12 | 1 | Regular", "12 Si;ze | 1 | Regular", "12 Size | 1 | Re=gular",
                 "12 Size | 1 | Regular, Large +200.505", f"12 Size | 1 | {LONG_NAME}",
                 "12 Size | 1-100 | Regular, Large", "12 Size | 1 | Regular, Large -50"],
    "dropgroup": ["", "12", "Toppings", "12 " + "T" * 33],
    "option": ["", "12", "12 Size | Large", "12 Size | Large | maybe", "12 | Large | off",
               "12 Size | | off", "Size | Large | off", "12 Size | Large | off | now"],
    "partners": ["all", "3"],
    "approve": ["", "@someone", "123 456"],
    "revoke": ["", "-123456789", "0"],
    "invite": ["5"],
    "allorders": ["shipped", "done", "1"],
    "showorder": ["", "abc", "42 43", "9" * 30],
    "cancelorder": ["", "42", "42   ", "x reason", "42 " + "r" * 201, "42 |"],
    "closeline": ["", "abc", "42 43"],
    "addpromo": ["", "SAVE10", "SAVE10 | ", "S | 10%", "SAVE 10 | 10%", "SAVE10 | 0%",
                 "SAVE10 | 101%", "SAVE10 | 0", "SAVE10 | -5", "SAVE10 | 10 %%",
                 "SAVE10 | 10% | abc", "SAVE10 | 10% | | 31-12-2026",
                 "SAVE10 | 10% | | 2026-02-30", "SAVE10 | 10% | | | 0",
                 "SAVE10 | 10% | | | | 0", "SAVE10 | 10% | | | | 1.5",
                 "SAVE10 | 10% | 1 | 2026-12-31 | 5 | 1 | more", "SAVE10 | ₹50"],
    "promos": ["all"],
    "endpromo": ["", "S", "SAVE 10"],
    "refunds": ["3"],
    "refunded": ["", "3", "x note", "0 note", "3 " + "n" * 201, "3 |"],
    "deadletters": ["now"],
    "retry": ["", "task", "0"],
    "stats": ["today"],
    "audit": ["0", "101", "ten", "-5"],
    "admin": ["help"],
}


def example_args(spec: CommandSpec) -> str:
    return split_command(spec.example)[1]


def test_every_command_has_an_expected_example_and_malformed_cases() -> None:
    assert set(EXAMPLES) == set(COMMANDS) == set(MALFORMED)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_parses_to_its_typed_command(name: str) -> None:
    spec = COMMANDS[name]
    assert spec.example.startswith(f"/{name}")
    assert parse_admin_command(spec.example, "INR") == EXAMPLES[name]


@pytest.mark.parametrize(
    ("name", "args"), [(name, args) for name, cases in MALFORMED.items() for args in cases]
)
def test_malformed_arguments_reply_with_the_problem_syntax_and_example(
    name: str, args: str
) -> None:
    spec = COMMANDS[name]
    with pytest.raises(ArgumentError) as caught:
        spec.read(args, "INR")
    reply = str(caught.value)
    assert caught.value.spec is spec
    assert reply.startswith(caught.value.problem)
    assert f"Usage: {spec.syntax}" in reply
    assert f"Example: {spec.example}" in reply


WEIRD = ["", " ", "|", "||||", "#", "-1", "0", "abc", "1e3", "٣", "²", "9" * 40, "1 |",
         "\n", "1\n2", "1 | | | | | |", "1 -", "\u200b", "1 \x00", "9" * 5000, str(2**31),
         str(2**63), "0" * 30 + "7"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_input_ever_escapes_as_anything_but_an_argument_error(name: str) -> None:
    for args in WEIRD:
        try:
            command = COMMANDS[name].read(args, "INR")
        except ArgumentError as error:
            assert COMMANDS[name].syntax in str(error)
        else:
            assert type(command).__module__ == "bot.admin.commands"


def test_the_two_issue_examples_parse_exactly() -> None:
    assert parse_admin_command("/addrestaurant Dominos | MG Road, Bengaluru | 20", "INR") == (
        AddRestaurant("Dominos", "MG Road, Bengaluru", 20)
    )
    food = parse_admin_command("/addfood 3 Pizza | 250 | Pizzas | Cheese, tomato", "INR")
    assert food == AddFood(RestaurantId(3), "Pizza", 25000, "Pizzas", "Cheese, tomato")


def test_optional_fields_take_sensible_defaults() -> None:
    assert parse_admin_command("/addrestaurant Dosa Hut | Indiranagar", "INR") == (
        AddRestaurant("Dosa Hut", "Indiranagar", 20)
    )
    assert parse_admin_command("/addfood 3 Coke | 60", "INR") == (
        AddFood(RestaurantId(3), "Coke", 6000, "Menu", "")
    )
    assert parse_admin_command("/allorders", "INR") == ListOrders(None)
    assert parse_admin_command("/audit", "INR") == Audit(20)


def test_prices_follow_the_configured_currency() -> None:
    assert parse_admin_command("/setprice 12 1200", "JPY") == SetPrice(ITEM12, 1200)
    with pytest.raises(ArgumentError, match="whole number"):
        parse_admin_command("/setprice 12 12.5", "JPY")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/addfood 3 Soup | 1,50", "Price '1,50' has a comma: use a dot for decimals: 1.50"),
        ("/setprice 12 1,50", "Price '1,50' has a comma: use a dot for decimals: 1.50"),
        ("/editfood 12 | 12,5", "Price '12,5' has a comma: use a dot for decimals: 12.5"),
        ("/setprice 12 1,500", "Price '1,500' is ambiguous: it could mean 1500 or 1.5; "
                               "write 1500, or use a dot for decimals"),
        ("/setprice 12 1,250.00", "Price '1,250.00' has thousands separators: write it "
                                  "without them: 1250.00"),
        ("/setprice 12 2.505", "Price '2.505' has more than 2 decimal places"),
    ],
)
def test_a_price_is_read_with_a_decimal_dot_or_refused_never_misread(
    text: str, problem: str
) -> None:
    with pytest.raises(ArgumentError) as caught:
        parse_admin_command(text, "INR")
    assert caught.value.problem == problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/showorder 99999999999999999999", "Order id 99999999999999999999 is too large: "
                                            "there is none above 9,223,372,036,854,775,807"),
        (f"/cancelorder {2**63} Fire", f"Order id {2**63} is too large"),
        (f"/retry {2**63}", f"Task id {2**63} is too large"),
        (f"/approve {2**63}", f"User id {2**63} is too large"),
        (f"/hidefood {2**31}", f"Item id {2**31} is too large: there is none above "
                               "2,147,483,647"),
        (f"/setprice {2**31} 10", f"Item id {2**31} is too large"),
        (f"/addfood {2**31} Soup | 10", f"Restaurant id {2**31} is too large"),
        (f"/importmenu {2**31}", f"Restaurant id {2**31} is too large"),
        ("/showorder " + "9" * 5000, "Order id " + "9" * 40 + " is too large"),
        ("/showorder 0", "Order id must be a positive whole number, not '0'"),
    ],
)
def test_an_id_past_the_range_of_its_kind_is_refused_before_any_lookup(
    text: str, problem: str
) -> None:
    with pytest.raises(ArgumentError) as caught:
        parse_admin_command(text, "INR")
    assert caught.value.problem.startswith(problem)


def test_the_largest_id_of_each_kind_is_still_read() -> None:
    assert parse_admin_command(f"/showorder {2**63 - 1}", "INR") == ShowOrder(OrderId(2**63 - 1))
    assert parse_admin_command(f"/hidefood {2**31 - 1}", "INR") == (
        SetAvailable(MenuItemId(2**31 - 1), False))


def test_ids_may_carry_a_hash_and_fields_are_trimmed() -> None:
    assert parse_admin_command("/showorder #42", "INR") == ShowOrder(ORDER42)
    assert parse_admin_command("/addfood  #3   Pizza|250|  |  ", "INR") == (
        AddFood(R3, "Pizza", 25000, "Menu", "")
    )


def test_edit_food_keeps_empty_fields_and_a_dash_clears_the_description() -> None:
    assert parse_admin_command("/editfood 12 Veg Pizza", "INR") == EditFood(ITEM12, "Veg Pizza")
    assert parse_admin_command("/editfood 12 | | | -", "INR") == EditFood(ITEM12, description="")


@pytest.mark.parametrize(
    ("text", "status"),
    [("delivered", OrderStatus.DELIVERED), ("FAILED", OrderStatus.FAILED),
     (" Out for delivery ", OrderStatus.OUT_FOR_DELIVERY),
     ("out-for-delivery", OrderStatus.OUT_FOR_DELIVERY)],
)
def test_status_names_are_case_insensitive(text: str, status: OrderStatus) -> None:
    assert parse_admin_command(f"/allorders {text}", "INR") == ListOrders(status)


def test_prep_minutes_accept_the_bounds() -> None:
    for minutes in (0, 240):
        cmd = parse_admin_command(f"/addrestaurant A | B | {minutes}", "INR")
        assert cmd == AddRestaurant("A", "B", minutes)


def test_cancel_reason_is_required_and_limited_to_200_characters() -> None:
    reason = "r" * 200
    assert parse_admin_command(f"/cancelorder 42 {reason}", "INR") == CancelOrder(ORDER42, reason)
    assert parse_admin_command("/cancelorder 42 | Duplicate", "INR") == (
        CancelOrder(ORDER42, "Duplicate")
    )
    with pytest.raises(ArgumentError, match="Reason is longer than 200"):
        parse_admin_command(f"/cancelorder 42 {reason}r", "INR")


def test_a_manager_chat_can_be_unlinked() -> None:
    assert parse_admin_command("/linkmanager 3 none", "INR") == LinkManager(R3, None)


def test_commands_split_with_a_bot_mention_and_a_newline() -> None:
    assert split_command("/AddFood@FoodBot 3 Pizza | 250") == ("addfood", "3 Pizza | 250")
    assert split_command("/cancelorder\n42 why") == ("cancelorder", "42 why")
    assert split_command("/stats") == ("stats", "")


@pytest.mark.parametrize("text", ["hello", "/nosuchcommand 3", "", "/"])
def test_unknown_commands_are_told_apart(text: str) -> None:
    with pytest.raises(UnknownCommand):
        parse_admin_command(text, "INR")


def test_command_names_are_valid_telegram_bot_commands() -> None:
    for name in COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name)


@pytest.mark.parametrize(("args", "expected"), [
    ("3 0", SetTerms(R3, 0)),
    ("3 | 499.50", SetTerms(R3, None, 49950)),
    ("3 | - | -", SetTerms(R3, None, 0, 0)),
    ("#3 25 | | 150", SetTerms(R3, 2500, None, 15000)),
])
def test_fees_change_only_the_fields_given_and_a_dash_removes_one(
    args: str, expected: SetTerms
) -> None:
    assert COMMANDS["fees"].read(args, "INR") == expected


@pytest.mark.parametrize(("args", "expected"), [
    ("save10 | 50", AddPromo("SAVE10", None, 5000)),
    ("WELCOME | 100% | - | - | - | 3", AddPromo("WELCOME", 100, None, 0, None, None, 3)),
    ("DIWALI-50 | 49.50 | 200 | 2026-11-15 | 1000", AddPromo(
        "DIWALI-50", None, 4950, 20000, date(2026, 11, 15), 1000, 1)),
])
def test_a_promo_is_a_percentage_or_an_amount_and_empty_fields_take_the_defaults(
    args: str, expected: AddPromo
) -> None:
    assert COMMANDS["addpromo"].read(args, "INR") == expected


def test_a_dash_stops_counting_a_dishs_portions() -> None:
    assert COMMANDS["stock"].read("#12 -", "INR") == SetStock(ITEM12, None)


def test_hours_can_be_cleared_and_a_closed_day_taken_back() -> None:
    assert COMMANDS["hours"].read("3 -", "INR") == SetHours(R3, None)
    assert COMMANDS["closed"].read("3 2026-12-25 | open", "INR") == SetClosedDay(
        R3, date(2026, 12, 25), closed=False)


@pytest.mark.parametrize(("args", "expected"), [
    ("12 Toppings | 0-3 | Olives +30, Jalapeño +30, Extra cheese +50", OptionGroup(
        "Toppings", (Option(1, "Olives", 3000), Option(2, "Jalapeño", 3000),
                     Option(3, "Extra cheese", 5000)), 0, 3)),
    ("#12  Dip |0 - 1| Salsa+0 ,Mint +20.50", OptionGroup(
        "Dip", (Option(1, "Salsa"), Option(2, "Mint", 2050)), 0, 1)),
    ("12 Crust | 1-2 | Thin, Pan, Stuffed +99.5", OptionGroup(
        "Crust", (Option(1, "Thin"), Option(2, "Pan"), Option(3, "Stuffed", 9950)), 1, 2)),
])
def test_a_group_is_its_name_how_many_to_pick_and_its_options_with_their_extras(
    args: str, expected: OptionGroup
) -> None:
    assert COMMANDS["setgroup"].read(args, "INR") == SetGroup(ITEM12, expected)


def test_an_option_is_switched_on_or_off_in_any_case() -> None:
    assert COMMANDS["option"].read("12 size | LARGE | On", "INR") == SetOptionAvailable(
        ITEM12, "size", "LARGE", True)


@pytest.mark.parametrize(("args", "problem"), [
    ("12 Size | 1-0 | Regular", "Size: CHOOSE must be N or MIN-MAX such as 1, 0-1 or 0-3, "
                                "not '1-0'"),
    ("12 Size | 1 | Regular, Large +1,50", "The price of Large '1,50' has a comma: use a dot "
                                           "for decimals: 1.50"),
    ("12 Size | 1 | Regular, regular", "Size: two options have the same name"),
    ("12 Size | 2 | Regular", "Size: asks for 2 of only 1 options"),
    ("12 Size | 1 | Regular,, Large", "Size: an option has no name (two commas in a row?)"),
    ("12 Size | 1 | Half: 6 pcs", "Option 'Half: 6 pcs' must not contain | ; = : , + or a "
                                  "line break"),
])
def test_a_malformed_group_says_what_is_wrong_in_one_line(args: str, problem: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        COMMANDS["setgroup"].read(args, "INR")
    assert caught.value.problem == problem
