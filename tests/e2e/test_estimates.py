"""The estimated delivery time (issue 14): the summary says when the order should arrive, the
tracking message keeps it while the order is under way and says honestly when it is late."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot import texts
from bot.context import AppType, Services
from bot.settings import Settings
from bot.tracking import refresh_tracking
from domain.ids import OrderId
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
from tests.e2e.test_partners import order_id_of


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return still_queue_settings(server, tmp_path)


async def test_the_summary_and_the_tracking_message_say_when_it_should_arrive_and_if_late(
    bot: AppType, customer: SandboxUser, admin: SandboxUser, uows: Uows
) -> None:
    dominos = (await stored_dominos(uows))
    await say(admin, f"/travel {dominos} 25", "25 min to deliver")
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


async def stored_dominos(uows: Uows) -> int:
    async with uows() as uow:
        dominos = await uow.restaurants.get_by_name("Dominos")
    assert dominos is not None
    return dominos.id
