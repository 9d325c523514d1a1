"""The admin console (issue #6): restaurants, dishes, photos and CSV imports, as customers see
them; refusals for non-admins, syntax help for malformed commands, and the audit log."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.admin import texts as admin_texts
from bot.admin.specs import COMMANDS
from bot.context import AppType
from domain.ids import MenuItemId
from domain.restaurants import MenuItem
from sandbox import BotApiServer, ChatMessage, SandboxUser
from storage.rows import AuditRow, InviteRow, MenuItemRow, PartnerRow, RestaurantRow
from tests.e2e.conftest import ADMIN
from tests.e2e.journey import TIMEOUT, Uows, cart_of, item, open_menu, restaurant, say

CURRENCY = "INR"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def new_id(message: ChatMessage) -> int:
    found = re.search(r"#(\d+)", message.content)
    assert found is not None, message.content
    return int(found[1])


async def item_by_id(uows: Uows, item_id: int) -> MenuItem:
    async with uows() as uow:
        found = await uow.menu.get(MenuItemId(item_id))
    assert found is not None
    return found


async def restaurant_list(user: SandboxUser) -> list[str]:
    return (await say(user, "/restaurants", "Restaurants")).buttons


async def snapshot(uows: Uows) -> tuple[Any, ...]:
    """Every restaurant and dish as stored, how many audit entries there are, and every
    partner and invite code."""
    async with uows() as uow:
        session = uow.session
        places = (await session.execute(select(RestaurantRow.__table__))).all()
        dishes = (await session.execute(select(MenuItemRow.__table__))).all()
        audited = (await session.execute(select(func.count()).select_from(AuditRow))).scalar()
        partners = (await session.execute(select(PartnerRow.__table__))).all()
        invites = (await session.execute(select(InviteRow.__table__))).all()
    return sorted(places), sorted(dishes), audited, sorted(partners), sorted(invites)


async def test_an_admin_adds_a_restaurant_and_dishes_that_a_customer_orders(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, customer_2: SandboxUser, uows: Uows
) -> None:
    added = await say(admin, "/addrestaurant Dominos Express | MG Road, Bengaluru | 20",
                      "Added restaurant")
    place = new_id(added)
    pizza_reply, _ = await asyncio.gather(
        say(admin, f"/addfood {place} Pizza | 250 | Pizzas | Cheese, tomato", "Added dish"),
        say(customer_2, "/restaurants", "Restaurants"),  # another user at the same time
    )
    pizza = await item_by_id(uows, new_id(pizza_reply))

    assert "Dominos Express" in await restaurant_list(customer)
    menu = await open_menu(customer, "Dominos Express")
    assert "Cheese, tomato" in menu.content and "Pizzas" in menu.content
    await customer.press(texts.dish_button(pizza, CURRENCY))
    await customer.wait_for_new(lambda m: "In your cart" in m.content, timeout=TIMEOUT)
    assert await cart_of(uows, customer.id) == {"Pizza": 1}
    assert (pizza.restaurant_id, pizza.price, pizza.category) == (place, 25000, "Pizzas")


async def test_closing_and_opening_a_restaurant_shows_in_the_customers_list(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    dominos = await restaurant(uows, "Dominos")
    await say(admin, f"/closerestaurant {dominos.id}", f"Closed restaurant #{dominos.id}")
    assert "Dominos · closed" in await restaurant_list(customer)

    await say(admin, f"/openrestaurant #{dominos.id}", f"Opened restaurant #{dominos.id}")
    listed = await restaurant_list(customer)
    assert "Dominos" in listed and "Dominos · closed" not in listed


async def test_hiding_showing_and_repricing_change_what_the_customer_sees(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    dosa = await item(uows, "Rava Dosa")
    await say(admin, f"/hidefood {dosa.id}", f"Hid dish #{dosa.id}")
    menu = await open_menu(customer, "Udupi Tiffins")
    assert not any("Rava Dosa" in b for b in menu.buttons)
    assert "Rava Dosa — ₹100.00 · <i>not available now</i>" in menu.html

    await say(admin, f"/showfood {dosa.id}", f"Customers can order dish #{dosa.id}")
    await say(admin, f"/setprice {dosa.id} 120.50", f"#{dosa.id}")
    menu = await open_menu(customer, "Udupi Tiffins")
    assert "➕ Rava Dosa · ₹120.50" in menu.buttons


async def test_a_photo_captioned_with_the_command_becomes_the_dishes_photo(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    dosa = await item(uows, "Masala Dosa")
    await admin.send_photo(JPEG, caption=f"/photo {dosa.id}")
    await admin.wait_for_new(lambda m: f"Photo set for dish #{dosa.id}" in m.content,
                             timeout=TIMEOUT)

    stored = await item(uows, "Masala Dosa")
    assert stored.photo_file_id
    menu = await open_menu(customer, "Udupi Tiffins")
    assert texts.PHOTO_BUTTON.format(name="Masala Dosa") in menu.buttons
    assert "Masala Dosa — ₹90.00 📷" in menu.html


async def test_a_csv_import_reports_added_updated_and_rejected_rows(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    udupi = await restaurant(uows, "Udupi Tiffins")
    data = (b"name,price,category,description\n"
            b"Set Dosa,85,Dosa,Three soft dosas\n"
            b"rava dosa,110,Dosa,\n"
            b"Upma,forty,Tiffin,\n"
            b",50,Tiffin,\n"
            b"Kesari Bath,60,Sweets,\n"
            b"Benne Dosa,95,Dosa,Butter\n")
    await admin.send_document("menu.csv", data, caption=f"/importmenu {udupi.id}",
                              mime_type="text/csv")
    report = await admin.wait_for_new(lambda m: "imported" in m.content, timeout=TIMEOUT)

    assert (f"Menu of restaurant #{udupi.id} imported: 2 added, 1 updated, 1 unchanged, "
            "2 rejected.") in report.content
    assert "line 4: price 'forty' is not an amount" in report.content
    assert "line 5: name must not be empty" in report.content
    menu = await open_menu(customer, "Udupi Tiffins")
    assert {"➕ Set Dosa · ₹85.00", "➕ Benne Dosa · ₹95.00", "➕ rava dosa · ₹110.00"} <= set(
        menu.buttons)


async def test_a_file_that_is_not_csv_text_is_refused_with_how_to_save_it(
    bot: AppType, admin: SandboxUser, uows: Uows
) -> None:
    udupi = await restaurant(uows, "Udupi Tiffins")
    before = await snapshot(uows)
    await admin.send_document("menu.xlsx", b"PK\x03\x04" + b"\x00" * 32,
                              caption=f"/importmenu {udupi.id}")
    await admin.wait_for_new(lambda m: "save it as 'CSV UTF-8'" in m.content, timeout=TIMEOUT)
    assert await snapshot(uows) == before


async def test_unknown_ids_get_a_clear_reply(bot: AppType, admin: SandboxUser) -> None:
    await say(admin, "/openrestaurant 999", "There is no restaurant #999.")
    await say(admin, "/setprice 999 10", "There is no dish #999.")
    await say(admin, "/addfood 999 Soup | 10", "There is no restaurant #999.")


TEXT_ATTEMPTS = [
    "/admin", "/addrestaurant Sneaky | Somewhere | 20", "/editrestaurant 1 Renamed | |",
    "/openrestaurant 4", "/closerestaurant 1", "/linkmanager 1 12345", "/addfood 1 Soup | 10",
    "/editfood 1 | 999 | |", "/setprice 1 1", "/hidefood 1", "/showfood 1", "/audit",
    "/photo 1", "/importmenu 1", "/partners", "/approve 1001", "/revoke 1001", "/invite",
    "/allorders", "/showorder 1", "/cancelorder 1 Sneaky", "/deadletters", "/retry 1",
    "/stats",
]


async def send_as_admin_would(user: SandboxUser, attempt: str) -> None:
    if attempt == "photo caption":
        await user.send_photo(JPEG, caption="/photo 1")
    elif attempt == "document caption":
        await user.send_document("menu.csv", b"name,price\nSoup,10\n", caption="/importmenu 1")
    else:
        await user.send(attempt)


@pytest.mark.parametrize("attempt", [*TEXT_ATTEMPTS, "photo caption", "document caption"])
async def test_a_non_admin_is_refused_every_admin_command_and_nothing_changes(
    bot: AppType, customer: SandboxUser, uows: Uows, attempt: str
) -> None:
    before = await snapshot(uows)
    await send_as_admin_would(customer, attempt)
    refusal = await customer.wait_for_new(timeout=TIMEOUT)

    assert refusal.content == admin_texts.NOT_ADMIN
    assert await snapshot(uows) == before and before[2] == 0
    assert len(customer.bot_messages) == 1


MALFORMED = {
    "admin": "/admin now", "addrestaurant": "/addrestaurant Only a name",
    "editrestaurant": "/editrestaurant x Name | |", "openrestaurant": "/openrestaurant",
    "closerestaurant": "/closerestaurant 3 now", "linkmanager": "/linkmanager 3 chat",
    "addfood": "/addfood 3 Pizza | free", "editfood": "/editfood 12 | -5 | |",
    "setprice": "/setprice 12", "hidefood": "/hidefood twelve", "showfood": "/showfood 0",
    "audit": "/audit 1000", "photo": "/photo abc", "importmenu": "/importmenu",
    "partners": "/partners all", "approve": "/approve", "revoke": "/revoke ravi",
    "invite": "/invite 3", "allorders": "/allorders lost", "showorder": "/showorder x",
    "cancelorder": "/cancelorder 3", "deadletters": "/deadletters all", "retry": "/retry seven",
    "stats": "/stats today",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
async def test_a_malformed_command_gets_its_syntax_and_an_example(
    bot: AppType, admin: SandboxUser, uows: Uows, name: str
) -> None:
    before = await snapshot(uows)
    text = MALFORMED[name]
    if name == "photo":
        await admin.send_photo(JPEG, caption=text)
    elif name == "importmenu":
        await admin.send_document("menu.csv", b"name,price\nSoup,10\n", caption=text)
    else:
        await admin.send(text)
    reply = await admin.wait_for_new(timeout=TIMEOUT)

    spec = COMMANDS[name]
    assert f"Usage: {spec.syntax}" in reply.content and f"Example: {spec.example}" in reply.content
    assert "Traceback" not in reply.content
    assert await snapshot(uows) == before


async def test_the_audit_lists_each_action_with_who_and_when(
    bot: AppType, admin: SandboxUser, uows: Uows
) -> None:
    dominos = await restaurant(uows, "Dominos")
    await say(admin, f"/closerestaurant {dominos.id}", "Closed")
    await say(admin, f"/linkmanager {dominos.id} -1001234567890", "now go to chat")
    await say(admin, "/admin", "Admin commands")

    audit = await say(admin, "/audit 5", "admin actions")

    lines = audit.content.splitlines()
    assert lines[0] == "Latest 2 admin actions (newest first)"
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d UTC · by {ADMIN} · link_manager "
                        rf"restaurant #{dominos.id} · chat -1001234567890", lines[1]), lines[1]
    assert f"by {ADMIN} · close_restaurant restaurant #{dominos.id}" in lines[2]


async def test_the_admin_help_lists_only_the_commands_the_bot_answers(
    bot: AppType, admin: SandboxUser, server: BotApiServer
) -> None:
    shown = await say(admin, "/admin", "Admin commands")
    assert "/addrestaurant NAME | ADDRESS" in shown.content and "/audit [LIMIT]" in shown.content
    for syntax in ("/partners", "/approve USER_ID", "/revoke USER_ID", "/invite",
                   "/allorders [STATUS]", "/showorder ORDER_ID", "/cancelorder ORDER_ID REASON",
                   "/deadletters", "/retry TASK_ID", "/stats"):
        assert syntax in shown.content
