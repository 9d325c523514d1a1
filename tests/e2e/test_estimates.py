"""The estimated delivery time (issue 14): the summary says when the order should arrive, the
tracking message keeps it while the order is under way and says honestly when it is late."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot import texts
from bot.context import AppType, Services
from bot.settings import Settings
from bot.tracking import refresh_tracking
from domain.ids import OrderId, UserId
from sandbox import BotApiServer, SandboxUser
from storage.sql import ORDERS
from tests.e2e.conftest import still_queue_settings
from tests.e2e.journey import (
    Uows,
    add_dishes,
    checkout_to_summary,
    open_menu,
    press,
    say,
    stored_order,
)
from tests.e2e.test_partners import online_partner, order_id_of


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return still_queue_settings(server, tmp_path)


async def test_the_summary_and_the_tracking_message_say_when_it_should_arrive_and_if_late(
    bot: AppType, customer: SandboxUser, admin: SandboxUser, partner: SandboxUser, uows: Uows
) -> None:
    dominos = (await stored_dominos(uows))
    await say(admin, f"/travel {dominos} 25", "25 min to deliver")
    await online_partner(uows, partner)  # a free rider: no wait for one
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    summary = await checkout_to_summary(customer)
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=summary.message_id)

    assert "🕒 Delivery in about 45 min (by " in summary.content  # 20 to cook, 25 to ride
    order = await stored_order(uows, order_id_of(tracking))
    assert order.expected_at is not None
    assert order.expected_at - order.created_at == timedelta(minutes=45)
    assert "🕒 Expected by " in tracking.content

    async with uows() as uow:  # an hour on, and still not delivered
        await uow.session.execute(update(ORDERS).where(ORDERS.c.id == order.id).values(
            expected_at=order.expected_at - timedelta(hours=1)))
        await uow.commit()
    services: Services = bot.bot_data["services"]
    assert await refresh_tracking(bot.bot, services.orders, OrderId(order.id))
    late = customer.message(tracking.message_id)
    assert late is not None and "⏰ Running late: we expected it by" in late.content


async def test_a_shared_location_and_busy_riders_change_the_estimate(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser, admin: SandboxUser,
    uows: Uows,
) -> None:
    dominos = await stored_dominos(uows)
    answer = await say(admin, f"/travel {dominos} 25 | 12.9756, 77.6067", "25 min to deliver")
    assert "(from 12.97560, 77.60670)" in answer.content
    for user in (customer, customer_2):
        await open_menu(user)
        await add_dishes(user, "➕ Pizza · ₹250.00")
        await press(user, texts.CART_BUTTON, "Your cart")
        await press(user, texts.CHECKOUT_BUTTON, "Where should we deliver")

    await customer.share_location(12.9352, 77.6245)  # Koramangala, about 4.9 km
    summary = await customer.wait_for_new(lambda m: "Check your order" in m.content)
    typed = await say(customer_2, "12 Residency Road, Bengaluru", "Check your order")

    # no rider online: the order waits about one usual ride for one, longer than the kitchen
    assert "· 4.9 km away, no rider is free right now" in summary.content
    ride = 4 + math.ceil(4.88 * 1.3 / 18 * 60)  # the roads at a rider's speed, the handover
    assert f"🕒 Delivery in about {25 + ride} min" in summary.content
    assert "🕒 Delivery in about 50 min" in typed.content  # 25 waiting, then the usual 25
    assert "km away" not in typed.content


async def stored_dominos(uows: Uows) -> int:
    async with uows() as uow:
        dominos = await uow.restaurants.get_by_name("Dominos")
    assert dominos is not None
    return dominos.id


async def test_a_customer_with_their_own_time_zone_sees_both_times(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    refused = await say(customer, "/mytimezone Mars/Olympus", "Unknown time zone")
    assert refused.text is not None and "Asia/Kolkata" in refused.text  # how to write one
    async with uows() as uow:  # the refused zone changed nothing
        unset = await uow.customers.get(UserId(customer.id))
    assert unset is None or unset.time_zone is None
    asked = await say(customer, "/mytimezone", "Times are shown in each restaurant")
    done = await say(customer, "/mytimezone Europe/London", "Done: times are shown")
    assert "Europe/London (now " in done.content and "/mytimezone -" in done.content
    assert "/mytimezone" in asked.content
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    summary = await checkout_to_summary(customer)
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=summary.message_id)

    order = await stored_order(uows, order_id_of(tracking))
    assert order.expected_at is not None
    ist, london = (order.expected_at.astimezone(ZoneInfo(zone)).strftime("%H:%M %Z")
                   for zone in ("Asia/Kolkata", "Europe/London"))
    assert f"🕒 Expected by {ist} ({london} your time)" in tracking.content
    shown = re.search(r"\(by (\d\d):(\d\d) IST \((\d\d):(\d\d) GMT your time\)\)",
                      summary.content)
    assert shown is not None  # the summary's estimate, a moment before the order's
    h, m, h2, m2 = map(int, shown.groups())
    assert (h * 60 + m - (h2 * 60 + m2)) % (24 * 60) == 5 * 60 + 30
    await say(customer, "/mytimezone -", "each restaurant's time zone only")
    async with uows() as uow:
        known = await uow.customers.get(UserId(customer.id))
    assert known is not None and known.time_zone is None
