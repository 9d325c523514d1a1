"""Numbers that cannot be ids of ours, in callback data or command arguments, are refused
like any malformed input, the same on every database (issue #10, item 6): no spinning
button, no database error, no alert to the admins, nothing changed."""

from __future__ import annotations

import asyncio

from bot import texts
from bot.callbacks import BadCallback
from bot.context import AppType
from sandbox import SandboxUser
from tests.e2e.backends import settings  # noqa: F401
from tests.e2e.journey import Uows, cart_of, open_menu, order_pizza, refused, say, stored_order
from tests.e2e.test_admin import new_id, snapshot

MALFORMED = texts.refusal(BadCallback("forged"))
TOO_LARGE_FOR_ORDERS = ["od:9999999999999999999", f"cx:{2**63}", f"cxy:{2**64}", "cxy:0",
                        "od:-1", f"rate:{2**63}:5", f"ro:{2**63}", "od:0042"]
TOO_LARGE_FOR_DISHES = [f"add:{2**31}:0", f"mn:{2**31}:0", "add:0:0", f"ph:{2**31}",
                        f"inc:{2**31}", f"mn:1:{2**63}"]


async def presses_refused(user: SandboxUser, message_id: int, forged: list[str]) -> None:
    for data in forged:
        answer = await refused(user, data=data, message_id=message_id)
        assert answer.text == MALFORMED, (data, answer)


async def test_out_of_range_ids_in_buttons_and_commands_are_refused_and_change_nothing(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser, admin: SandboxUser,
    uows: Uows,
) -> None:
    tracking = await order_pizza(customer)
    order = await stored_order(uows, new_id(tracking))
    menu = await open_menu(customer_2)
    before = await snapshot(uows)

    async def admin_commands() -> None:
        await say(admin, "/showorder 99999999999999999999", "Order id 99999999999999999999 "
                                                            "is too large")
        await say(admin, f"/cancelorder {2**63} Fire", f"Order id {2**63} is too large")
        await say(admin, f"/hidefood {2**31}", f"Item id {2**31} is too large")
        await say(admin, f"/addfood {2**31} Soup | 10", f"Restaurant id {2**31} is too large")

    await asyncio.gather(
        presses_refused(customer, tracking.message_id, TOO_LARGE_FOR_ORDERS),
        presses_refused(customer_2, menu.message_id, TOO_LARGE_FOR_DISHES),
        admin_commands(),
    )

    assert await stored_order(uows, order.id) == order
    assert await cart_of(uows, customer_2.id) == {}
    assert await snapshot(uows) == before
    assert customer.message(tracking.message_id) == tracking  # the screens stayed as they were
    assert customer_2.message(menu.message_id) == menu
    assert not any("went wrong" in m.content or "Error" in m.content
                   for m in admin.bot_messages), admin.describe()  # no alert: nothing failed
