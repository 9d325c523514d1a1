"""Dish options and the menu file through the real bot (the admin console): an admin sets a
dish's option groups and sees them, a malformed group gets its syntax back and changes
nothing, and a menu exported as a CSV document imports back unchanged; on SQLite and, with
TEST_DATABASE_URL, PostgreSQL (where the options are stored as JSON)."""

from __future__ import annotations

from bot.admin import texts as admin_texts
from bot.admin.specs import COMMANDS
from bot.context import AppType
from sandbox import BotApiServer, SandboxUser
from tests.e2e.backends import settings  # noqa: F401
from tests.e2e.journey import TIMEOUT, Uows, item, restaurant, say
from tests.e2e.test_admin import snapshot


async def test_an_admin_sets_a_dishs_options_and_sees_them(
    bot: AppType, admin: SandboxUser, uows: Uows
) -> None:
    pizza = await item(uows, "Pizza")
    await say(admin, f"/options {pizza.id}", "has no options")

    await say(admin, f"/setgroup {pizza.id} Size | 1 | Regular, Medium +100, Large +200",
              "Saved option group Size.")
    await say(admin, f"/setgroup {pizza.id} Toppings | 0-3 | Olives +30, Jalapeño +30, "
                     "Extra cheese +50", "Saved option group Toppings.")
    await say(admin, f"/option {pizza.id} size | large | off", "Option large is not available")
    shown = await say(admin, f"/options {pizza.id}", f"Options of dish #{pizza.id} Pizza")

    lines = shown.content.splitlines()
    assert lines[2:7] == ["Size · choose 1 (1)", "  • Regular +₹0.00 · available",
                          "  • Medium +₹100.00 · available",
                          "  • Large +₹200.00 · not available", ""]
    assert lines[7:11] == ["Toppings · up to 3 (0-3)", "  • Olives +₹30.00 · available",
                           "  • Jalapeño +₹30.00 · available",
                           "  • Extra cheese +₹50.00 · available"]
    stored = await item(uows, "Pizza")
    assert [[o.name for o in g.options] for g in stored.groups] == [
        ["Regular", "Medium", "Large"], ["Olives", "Jalapeño", "Extra cheese"]]

    await say(admin, f"/dropgroup {pizza.id} toppings", "Removed option group toppings.")
    assert [g.name for g in (await item(uows, "Pizza")).groups] == ["Size"]


async def test_a_malformed_or_refused_group_gets_a_polite_reply_and_changes_nothing(
    bot: AppType, admin: SandboxUser, uows: Uows
) -> None:
    pizza = await item(uows, "Farmhouse Pizza")
    before = await snapshot(uows)
    spec = COMMANDS["setgroup"]

    reply = await say(admin, f"/setgroup {pizza.id} Size | one | Regular", "Usage:")
    assert reply.content.splitlines() == [
        "Size: CHOOSE must be N or MIN-MAX such as 1, 0-1 or 0-3, not 'one'.",
        f"Usage: {spec.syntax}", f"Example: {spec.example}"]
    await say(admin, f"/setgroup {pizza.id} Size | 1 | Regular, Large +1,50",
              "The price of Large '1,50' has a comma: use a dot for decimals: 1.50.")
    await say(admin, f"/dropgroup {pizza.id} Crust", "This dish has no option group 'Crust'; "
                                                     "its groups: Size, Toppings.")
    await say(admin, "/setgroup 999 Size | 1 | Regular", "There is no dish #999.")
    assert await snapshot(uows) == before


async def test_an_exported_menu_is_a_csv_document_that_imports_back_unchanged(
    bot: AppType, admin: SandboxUser, server: BotApiServer, uows: Uows
) -> None:
    dominos = await restaurant(uows, "Dominos")
    pizza, coke = await item(uows, "Pizza"), await item(uows, "Coke 500 ml")
    farmhouse = await item(uows, "Farmhouse Pizza")  # seeded with a size and toppings
    await say(admin, f"/setprice {pizza.id} 249.50", f"#{pizza.id}")
    await say(admin, f'/editfood {pizza.id} | | | Cheese, "fresh" tomato', f"#{pizza.id}")
    await say(admin, f"/hidefood {coke.id}", f"Hid dish #{coke.id}")
    await say(admin, f"/option {farmhouse.id} Size | Large | off", "is not available now")
    before = await snapshot(uows)

    await admin.send(f"/exportmenu {dominos.id}")
    document = await admin.wait_for_new(lambda m: m.document_file_id is not None,
                                        timeout=TIMEOUT)
    told = await admin.wait_for_new(lambda m: "dishes in" in m.content, timeout=TIMEOUT)
    assert document.document_name == f"menu-{dominos.id}.csv"
    assert told.content.startswith(f"Menu of restaurant #{dominos.id} Dominos: 7 dishes in "
                                   f"menu-{dominos.id}.csv.")
    data = server.file_bytes(document.document_file_id or "")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "name,price,category,description,available,options"
    assert 'Pizza,249.50,Pizzas,"Cheese, ""fresh"" tomato",yes,' in lines
    assert "Coke 500 ml,60,Beverages,,no," in lines

    await admin.send_document(f"menu-{dominos.id}.csv", data,
                              caption=f"/importmenu {dominos.id}", mime_type="text/csv")
    report = await admin.wait_for_new(lambda m: "imported" in m.content, timeout=TIMEOUT)
    assert report.content == (f"Menu of restaurant #{dominos.id} imported: 0 added, "
                              "0 updated, 7 unchanged, 0 rejected.")
    assert (await snapshot(uows))[:2] == before[:2]  # every restaurant and dish as it was


async def test_the_admin_help_lists_the_dish_options_commands(
    bot: AppType, admin: SandboxUser
) -> None:
    await admin.send("/admin")
    shown = await admin.wait_for_new(lambda m: "Dish options" in m.content, timeout=TIMEOUT)
    for name in ("options", "setgroup", "dropgroup", "option"):
        assert COMMANDS[name].syntax in shown.content
    assert len(admin.bot_messages) == 2  # the help, in two messages


async def test_a_customer_is_refused_the_options_commands_and_gets_no_menu_file(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    pizza = await item(uows, "Farmhouse Pizza")
    before = await snapshot(uows)
    for text in (f"/setgroup {pizza.id} Size | 1 | Free", f"/option {pizza.id} Size | Large | "
                 "off", f"/dropgroup {pizza.id} Size", f"/exportmenu {pizza.restaurant_id}"):
        await say(customer, text, admin_texts.NOT_ADMIN)
    assert all(m.document_file_id is None for m in customer.bot_messages)
    assert await snapshot(uows) == before
