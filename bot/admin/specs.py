"""Admin commands (issue #6): one table gives each command's syntax, example, summary, parser
and, for /photo and /importmenu, the attachment it is the caption of. The bot answers
exactly the commands in the table (bot/admin/handlers.py registers them from it).

`CommandSpec.read` turns the text after the command into a typed command, or raises
ArgumentError, whose text is the problem, the syntax and an example: the reply to a
malformed command. Fields are separated by `|` and trimmed; ids may carry a leading `#`.
Parsers live in bot/admin/parsers.py (promo codes and refunds: promo_parsers.py; dish
options: option_parsers.py), the command types in bot/admin/commands.py.
Pure: no Telegram here. Replies are plain text; escape them when sending as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.admin.commands import (
    AdminCommand,
    AdminHelp,
    ApprovePartner,
    CloseLine,
    ExportMenu,
    ImportMenu,
    ListDeadLetters,
    ListPartners,
    ListPromos,
    ListRefunds,
    MakeInvite,
    RetryTask,
    RevokePartner,
    SetAvailable,
    SetOpen,
    SetPhoto,
    SetStock,
    ShowOptions,
    ShowOrder,
    Stats,
)
from bot.admin.option_parsers import drop_group, set_group, set_option
from bot.admin.parsers import (
    Parser,
    add_food,
    add_restaurant,
    audit,
    bare,
    by_id,
    by_item_id,
    by_restaurant_id,
    cancel_order,
    closed_day,
    edit_food,
    edit_restaurant,
    hours,
    kitchen_answer,
    link_manager,
    list_orders,
    set_price,
    set_stock,
    time_zone,
    travel,
)
from bot.admin.promo_parsers import add_promo, end_promo, refunded, set_terms
from bot.i18n import N_, _
from domain.errors import Explained, InvalidInput
from domain.ids import MenuItemId, OrderId, RestaurantId, TaskId, UserId

_COMMAND: Final = re.compile(r"/(\w+)(?:@\w+)?(?:\s+(.*))?", re.DOTALL)


class Attachment(StrEnum):
    """What a command comes with, as the caption of it."""

    PHOTO = "photo"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    syntax: str
    example: str
    summary: str  # a message id (N_): bot/admin/texts.py translates it for /admin
    parse: Parser
    group: str  # a message id (N_) too
    attachment: Attachment | None = None  # also answered as the caption of one

    def read(self, args: str, currency: str) -> AdminCommand:
        """The typed command, or ArgumentError with this command's syntax and example."""
        try:
            return self.parse(args, currency)
        except InvalidInput as error:
            raise ArgumentError(self, worded(error)) from None


def worded(error: Explained) -> str:
    """The problem in the language spoken now, as plain text (the template is a message id,
    its fields filled as the domain fills them for str(error))."""
    text = _(error.template)
    return text.format(**error.params) if error.params else text


class ArgumentError(Exception):
    """Malformed arguments; str() is the whole reply: problem, syntax and example, in the
    language spoken when the command was read."""

    def __init__(self, spec: CommandSpec, problem: str) -> None:
        self.spec = spec
        self.problem = problem[:1].upper() + problem[1:]
        super().__init__(_("{problem}.\nUsage: {syntax}\nExample: {example}").format(
            problem=self.problem, syntax=spec.syntax, example=spec.example))


class UnknownCommand(LookupError):
    """The text does not start with an admin command."""


_RESTAURANTS, _MENU, _PARTNERS, _ORDERS, _PROMOS, _QUEUE, _SERVICE, _OPTIONS = (
    N_("Restaurants"), N_("Menus"), N_("Partners"), N_("Orders"),
    N_("Promo codes and refunds"), N_("Queue"), N_("Service"),
    N_("Dish options"),  # last: /admin sends it as a second message (bot/admin/texts.py)
)
# The summaries and group names are message ids (N_), worded where /admin lists them
# (bot/admin/texts.py). A message id is a literal, so the values in them are written out:
# '-' is parsers.CLEAR, 200 MAX_REASON, 20 and 100 DEFAULT_AUDIT and MAX_AUDIT.
_SPECS: Final = (
    CommandSpec("addrestaurant", "/addrestaurant NAME | ADDRESS [| PREP_MINUTES]",
                "/addrestaurant Dominos | MG Road, Bengaluru | 20",
                N_("add a restaurant (preparation time 0-240 min, default 20)"),
                add_restaurant, _RESTAURANTS),
    CommandSpec("editrestaurant", "/editrestaurant RESTAURANT_ID NAME | ADDRESS | PREP_MINUTES",
                "/editrestaurant 3 Dominos Pizza | | 25",
                N_("change a restaurant; empty fields keep their value"),
                edit_restaurant, _RESTAURANTS),
    CommandSpec("openrestaurant", "/openrestaurant RESTAURANT_ID", "/openrestaurant 3",
                N_("open a restaurant for orders"),
                by_restaurant_id(lambda i: SetOpen(RestaurantId(i), True)), _RESTAURANTS),
    CommandSpec("closerestaurant", "/closerestaurant RESTAURANT_ID", "/closerestaurant 3",
                N_("close a restaurant: its menu stays visible, orders stop"),
                by_restaurant_id(lambda i: SetOpen(RestaurantId(i), False)), _RESTAURANTS),
    CommandSpec("linkmanager", "/linkmanager RESTAURANT_ID CHAT_ID",
                "/linkmanager 3 -1001234567890",
                N_("send a restaurant's order tickets to a manager chat ('none' unlinks)"),
                link_manager, _RESTAURANTS),
    CommandSpec("fees",
                "/fees RESTAURANT_ID DELIVERY_FEE [| FREE_DELIVERY_FROM [| MINIMUM_ORDER]]",
                "/fees 3 40 | 500 | 199",
                N_("set a restaurant's delivery fee, the order value from which delivery is free "
                   "and its minimum order; empty fields keep their value, '-' removes one"),
                set_terms, _RESTAURANTS),
    CommandSpec("hours", "/hours RESTAURANT_ID DAYS HH:MM-HH:MM [| DAYS HH:MM-HH:MM ...]",
                "/hours 3 mon-fri 11:00-23:00 | sat-sun 10:00-23:30",
                N_("weekly opening hours in the restaurant's time zone (several periods a day "
                   "with commas); '-': open whenever it is open"), hours, _RESTAURANTS),
    CommandSpec("closed", "/closed RESTAURANT_ID DATE [| open]", "/closed 3 2026-12-25",
                N_("close a restaurant for a whole day (its local date); '| open' takes the "
                   "day back"), closed_day, _RESTAURANTS),
    CommandSpec("travel", "/travel RESTAURANT_ID MINUTES [| LATITUDE, LONGITUDE]",
                "/travel 3 25 | 12.9756, 77.6067",
                N_("a delivery's usual ride from the restaurant (0-240 min, default 20), and where "
                   "riders pick up ('-' forgets it): a ride to a shared location is estimated from "
                   "the distance"), travel, _RESTAURANTS),
    CommandSpec("timezone", "/timezone RESTAURANT_ID ZONE", "/timezone 3 Asia/Kolkata",
                N_("the restaurant's time zone (an IANA name): its orders' times are shown in it"),
                time_zone, _RESTAURANTS),
    CommandSpec("kitchen", "/kitchen RESTAURANT_ID MINUTES [| cancel or accept]",
                "/kitchen 3 5 | accept",
                N_("how long a linked kitchen has to answer a ticket (1-60 min, default 5); "
                   "then the order is cancelled (default) or accepted for it, the admins told"),
                kitchen_answer, _RESTAURANTS),
    CommandSpec("addfood", "/addfood RESTAURANT_ID NAME | PRICE [| CATEGORY [| DESCRIPTION]]",
                "/addfood 3 Pizza | 250 | Pizzas | Cheese, tomato",
                N_("add a dish; price in major units such as 249.50"), add_food, _MENU),
    CommandSpec("editfood", "/editfood ITEM_ID NAME | PRICE | CATEGORY | DESCRIPTION",
                "/editfood 12 | 260 | | Cheese, tomato, basil",
                N_("change a dish; empty fields keep their value, '-' clears the description"),
                edit_food, _MENU),
    CommandSpec("setprice", "/setprice ITEM_ID PRICE", "/setprice 12 249.50",
                N_("change a dish's price"), set_price, _MENU),
    CommandSpec("stock", "/stock ITEM_ID PORTIONS", "/stock 12 40",
                N_("count a dish's portions: each order takes its own, a cancel gives them "
                   "back, none left shows it sold out; '-' stops counting"),
                set_stock, _MENU),
    CommandSpec("soldout", "/soldout ITEM_ID", "/soldout 12",
                N_("mark a dish sold out for today: it comes back at the restaurant's next "
                   "opening (or when /stock gives it portions)"),
                by_item_id(lambda i: SetStock(MenuItemId(i), 0, for_today=True)), _MENU),
    CommandSpec("hidefood", "/hidefood ITEM_ID", "/hidefood 12",
                N_("mark a dish not available"),
                by_item_id(lambda i: SetAvailable(MenuItemId(i), False)), _MENU),
    CommandSpec("showfood", "/showfood ITEM_ID", "/showfood 12", N_("mark a dish available again"),
                by_item_id(lambda i: SetAvailable(MenuItemId(i), True)), _MENU),
    CommandSpec("photo", "/photo ITEM_ID (as the caption of a photo)", "/photo 12",
                N_("set a dish's photo"), by_item_id(lambda i: SetPhoto(MenuItemId(i))), _MENU,
                Attachment.PHOTO),
    CommandSpec("importmenu", "/importmenu RESTAURANT_ID (as the caption of a CSV file)",
                "/importmenu 3", N_("add and update dishes (and their options) from a CSV file"),
                by_restaurant_id(lambda i: ImportMenu(RestaurantId(i))), _MENU,
                Attachment.DOCUMENT),
    CommandSpec("exportmenu", "/exportmenu RESTAURANT_ID", "/exportmenu 3",
                N_("the restaurant's menu as a CSV file, options included: edit it and send it "
                   "back with /importmenu"),
                by_restaurant_id(lambda i: ExportMenu(RestaurantId(i))), _MENU),
    CommandSpec("partners", "/partners", "/partners", N_("list delivery partners"),
                bare(ListPartners), _PARTNERS),
    CommandSpec("approve", "/approve USER_ID", "/approve 123456789", N_("approve a partner"),
                by_id(lambda i: ApprovePartner(UserId(i)), N_("user id")), _PARTNERS),
    CommandSpec("revoke", "/revoke USER_ID", "/revoke 123456789", N_("revoke a partner"),
                by_id(lambda i: RevokePartner(UserId(i)), N_("user id")), _PARTNERS),
    CommandSpec("invite", "/invite", "/invite", N_("make a partner invite code"),
                bare(MakeInvite), _PARTNERS),
    CommandSpec("allorders", "/allorders [STATUS]", "/allorders out_for_delivery",
                N_("list recent orders, optionally of one status"), list_orders, _ORDERS),
    CommandSpec("showorder", "/showorder ORDER_ID", "/showorder 42",
                N_("show an order and its history"),
                by_id(lambda i: ShowOrder(OrderId(i)), N_("order id")), _ORDERS),
    CommandSpec("closeline", "/closeline ORDER_ID", "/closeline 42",
                N_("close the private line between an order's customer and rider"),
                by_id(lambda i: CloseLine(OrderId(i)), N_("order id")), _ORDERS),
    CommandSpec("cancelorder", "/cancelorder ORDER_ID REASON",
                "/cancelorder 42 Restaurant ran out of cheese",
                N_("cancel any unfinished order; the reason (up to 200 characters) "
                   "goes in the order's history"), cancel_order, _ORDERS),
    CommandSpec("addpromo", "/addpromo CODE | DISCOUNT [| MIN_ORDER [| VALID_UNTIL "
                "[| TOTAL_USES [| USES_PER_CUSTOMER]]]]",
                "/addpromo SAVE10 | 10% | 300 | 2026-12-31 | 100 | 1",
                N_("add a promo code: DISCOUNT is a percentage (10%) or an amount off (50); "
                   "VALID_UNTIL its last day (UTC); empty fields: no minimum, no last day, no "
                   "use limit, one use per customer"), add_promo, _PROMOS),
    CommandSpec("promos", "/promos", "/promos", N_("the latest promo codes and their uses"),
                bare(ListPromos), _PROMOS),
    CommandSpec("endpromo", "/endpromo CODE", "/endpromo SAVE10",
                N_("end a promo code now: summaries showing it lose the discount"), end_promo,
                _PROMOS),
    CommandSpec("refunds", "/refunds", "/refunds",
                N_("refunds due: paid orders cancelled, payments that placed no order"),
                bare(ListRefunds), _PROMOS),
    CommandSpec("refunded", "/refunded REFUND_ID NOTE",
                "/refunded 3 Refunded at the provider, ref re_81422",
                N_("record a refund made at the payment provider; the customer is told"),
                refunded, _PROMOS),
    CommandSpec("deadletters", "/deadletters", "/deadletters",
                N_("list tasks the queue gave up on"), bare(ListDeadLetters), _QUEUE),
    CommandSpec("retry", "/retry TASK_ID", "/retry 7", N_("run a dead-lettered task again"),
                by_id(lambda i: RetryTask(TaskId(i)), N_("task id")), _QUEUE),
    CommandSpec("stats", "/stats", "/stats",
                N_("today and the last 7 days, with a chart of orders per hour"),
                bare(Stats), _SERVICE),
    CommandSpec("audit", "/audit [LIMIT]", "/audit 50",
                N_("the latest admin actions (default 20, at most 100)"),
                audit, _SERVICE),
    CommandSpec("admin", "/admin", "/admin", N_("this list"), bare(AdminHelp), _SERVICE),
    CommandSpec("options", "/options ITEM_ID", "/options 12",
                N_("a dish's option groups (a size, toppings), their prices and which are "
                   "available"), by_item_id(lambda i: ShowOptions(MenuItemId(i))), _OPTIONS),
    CommandSpec("setgroup", "/setgroup ITEM_ID GROUP | CHOOSE | OPTION [+PRICE], "
                "OPTION [+PRICE], ...",
                "/setgroup 12 Size | 1 | Regular, Medium +100, Large +200",
                N_("add an option group to a dish, or replace the one of that name (options "
                   "named as before stay in carts); CHOOSE: 1 (one must be picked), 0-1 "
                   "(optional), 0-3 (up to three), 1-2; PRICE: what the option adds"),
                set_group, _OPTIONS),
    CommandSpec("dropgroup", "/dropgroup ITEM_ID GROUP", "/dropgroup 12 Toppings",
                N_("remove an option group from a dish"), drop_group, _OPTIONS),
    CommandSpec("option", "/option ITEM_ID GROUP | OPTION | on or off",
                "/option 12 Size | Large | off",
                N_("make one option available again (on) or not (off), such as a size that ran "
                   "out today"), set_option, _OPTIONS),
)
COMMANDS: Final[dict[str, CommandSpec]] = {spec.name: spec for spec in _SPECS}


def split_command(text: str) -> tuple[str, str]:
    """('addfood', '3 Pizza | 250') from '/addfood@FoodBot 3 Pizza | 250'."""
    match = _COMMAND.fullmatch(text.strip())
    if match is None:
        raise UnknownCommand(text.strip()[:40])
    return match[1].lower(), match[2] or ""


def parse_admin_command(text: str, currency: str) -> AdminCommand:
    """The typed command in a message text or caption; ArgumentError or UnknownCommand."""
    name, args = split_command(text)
    spec = COMMANDS.get(name)
    if spec is None:
        raise UnknownCommand(name)
    return spec.read(args, currency)

