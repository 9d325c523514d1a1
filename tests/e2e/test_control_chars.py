"""Control characters in text we store are refused with a clear message, the same on SQLite
and PostgreSQL (issue #10, item 7); line breaks and tabs stay allowed, and a Telegram profile
name holding one is cleaned, not refused."""

from __future__ import annotations

import asyncio

from bot import texts
from bot.context import AppType
from domain.ids import UserId
from domain.orders import OrderStatus
from sandbox import BotApiServer, SandboxUser
from tests.e2e.backends import settings  # noqa: F401
from tests.e2e.journey import (
    TIMEOUT,
    Uows,
    at_address_step,
    item,
    order_pizza,
    place_directly,
    press,
    restaurant,
    say,
    stored_order,
)
from tests.e2e.test_admin import snapshot
from tests.e2e.test_checkout import checkout_of

REFUSED = "must not contain invisible control characters"


async def test_a_nul_in_an_address_or_note_is_refused_politely_and_nothing_is_stored(
    bot: AppType, server: BotApiServer, customer: SandboxUser, uows: Uows
) -> None:
    stranger = server.user(1003, first_name="Bi\x00lal", last_name="Kh\x1ban")

    async def typed_with_controls() -> None:
        await at_address_step(uows, customer.id, "Pizza")
        reply = await say(customer, "12 Residency\x00 Road", REFUSED)
        assert reply.text == f"Address {REFUSED}. Please try again."
        assert (await checkout_of(uows, customer.id)).address is None  # still asking for it
        await say(customer, "Flat 4\n12 Residency Road\tBengaluru", "Check your order")
        reply = await say(customer, "ring twice\x07", REFUSED)
        assert reply.text == f"Note {REFUSED}. Please try again."
        draft = await checkout_of(uows, customer.id)
        assert (draft.address, draft.note) == ("Flat 4\n12 Residency Road\tBengaluru", "")
        await press(customer, texts.PLACE_BUTTON, "Order #")

    await asyncio.gather(typed_with_controls(), order_pizza(stranger))

    async with uows() as uow:
        orders = {o.customer_id: o for o in await uow.orders.for_customer(UserId(customer.id),
                                                                           limit=5)}
        orders |= {o.customer_id: o for o in await uow.orders.for_customer(UserId(stranger.id),
                                                                            limit=5)}
        named = await uow.customers.get(UserId(stranger.id))
    assert orders[customer.id].delivery.address == "Flat 4\n12 Residency Road\tBengaluru"
    assert orders[stranger.id].status == OrderStatus.CREATED
    assert named is not None and named.name == "Bilal Khan"


async def test_control_characters_in_admin_input_and_menu_files_are_refused_row_by_row(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    udupi = await restaurant(uows, "Udupi Tiffins")
    order = await place_directly(uows, customer.id)
    before = await snapshot(uows)

    await say(admin, "/addrestaurant Dosa\x00 Hut | MG Road", f"Name {REFUSED}.\nUsage:")
    await say(admin, f"/addfood {udupi.id} Soup | 10 | Soups | Hot\x7f", f"Description {REFUSED}")
    await say(admin, f"/cancelorder {order.id} Kitchen\x00 fire", f"Reason {REFUSED}")
    assert await snapshot(uows) == before
    assert (await stored_order(uows, order.id)).status == OrderStatus.CREATED

    data = 'name,price,description\nSoup\x1b,10,\nTea,10,hot\x85\nDal,20,"two\nlines"\n'
    await admin.send_document("menu.csv", data.encode(), caption=f"/importmenu {udupi.id}",
                              mime_type="text/csv")
    report = await admin.wait_for_new(lambda m: "imported" in m.content, timeout=TIMEOUT)
    assert "1 added, 0 updated, 0 unchanged, 2 rejected" in report.content, report.content
    assert f"line 2: name {REFUSED}" in report.content
    assert f"line 3: description {REFUSED}" in report.content
    assert (await item(uows, "Dal")).description == "two\nlines"
