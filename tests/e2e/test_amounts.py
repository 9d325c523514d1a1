"""Amounts an admin types or imports are read exactly or refused with the reason (issue #10,
item 5): a decimal comma never makes a price 100 times too high."""

from __future__ import annotations

import asyncio

from bot.context import AppType
from sandbox import SandboxUser
from tests.e2e.journey import TIMEOUT, Uows, item, open_menu, restaurant, say
from tests.e2e.test_admin import snapshot


async def test_a_decimal_comma_in_a_command_is_refused_and_a_dot_is_read_exactly(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    udupi = await restaurant(uows, "Udupi Tiffins")
    dosa = await item(uows, "Rava Dosa")
    before = await snapshot(uows)

    refusals = await asyncio.gather(
        say(admin, f"/addfood {udupi.id} Soup | 1,50", "use a dot for decimals: 1.50"),
        say(customer, "/restaurants", "Restaurants"),  # another user meanwhile
    )
    assert "Usage: /addfood" in refusals[0].content
    await say(admin, f"/setprice {dosa.id} 1,500", "Price '1,500' is ambiguous: it could mean "
                                                   "1500 or 1.5; write 1500, or use a dot")
    await say(admin, f"/editfood {dosa.id} | 1,250.00", "has thousands separators")
    await say(admin, f"/setprice {dosa.id} 99.999", "has more than 2 decimal places")
    assert await snapshot(uows) == before  # nothing was stored, not even an audit entry

    await say(admin, f"/addfood {udupi.id} Soup | 1.50", "Added dish")
    menu = await open_menu(customer, "Udupi Tiffins")
    assert "➕ Soup · ₹1.50" in menu.buttons, menu.buttons
    assert (await item(uows, "Soup")).price == 150


async def test_a_semicolon_or_tab_separated_menu_reads_the_decimal_comma(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    udupi = await restaurant(uows, "Udupi Tiffins")
    files = {
        "excel.csv": "name;price;category\r\nSoup;12,50;Soups\r\nTea;12.50;Drinks\r\n",
        "sheet.tsv": "name\tprice\nLassi\t45,5\nDal\t1.500\n",
    }
    for name, text in files.items():
        await admin.send_document(name, text.encode(), caption=f"/importmenu {udupi.id}",
                                  mime_type="text/csv")
        await admin.wait_for_new(lambda m, file=name: "imported" in m.content and (
            "line 3: price '12.50' has a dot: use a comma for decimals: 12,50" in m.content
            if file == "excel.csv" else
            "line 3: price '1.500' is ambiguous: it could mean 1500 or 1,5" in m.content),
            timeout=TIMEOUT)

    assert (await item(uows, "Soup")).price == 1250
    assert (await item(uows, "Lassi")).price == 4550
    menu = await open_menu(customer, "Udupi Tiffins")
    assert {"➕ Soup · ₹12.50", "➕ Lassi · ₹45.50"} <= set(menu.buttons), menu.buttons
    assert not any(label.startswith(("➕ Tea", "➕ Dal")) for label in menu.buttons)


async def test_a_comma_separated_menu_refuses_a_decimal_comma_instead_of_misreading_it(
    bot: AppType, admin: SandboxUser, uows: Uows
) -> None:
    udupi = await restaurant(uows, "Udupi Tiffins")
    before = await snapshot(uows)
    data = b'name,price\nSoup,"12,50"\nTea,"1,500"\n'
    await admin.send_document("menu.csv", data, caption=f"/importmenu {udupi.id}",
                              mime_type="text/csv")
    report = await admin.wait_for_new(lambda m: "imported" in m.content, timeout=TIMEOUT)

    assert "0 added, 0 updated, 0 unchanged, 2 rejected" in report.content, report.content
    assert "line 2: price '12,50' has a comma: use a dot for decimals: 12.50" in report.content
    assert "line 3: price '1,500' is ambiguous" in report.content
    dishes_before, dishes_after = before[1], (await snapshot(uows))[1]
    assert dishes_after == dishes_before
