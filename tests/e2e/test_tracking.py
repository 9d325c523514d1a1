"""The customer's one live tracking message, edited as the order moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.context import AppType, Services
from bot.settings import Settings
from bot.tracking import refresh_tracking
from domain.ids import OrderId
from domain.orders import OrderStatus
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import still_queue_settings
from tests.e2e.journey import Uows, advance, order_pizza, place_directly

S = OrderStatus


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return still_queue_settings(server, tmp_path)  # the test moves the order itself


async def test_the_tracking_message_follows_the_order_to_its_delivery(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    tracking = await order_pizza(customer)
    order_id = OrderId(int(tracking.text.split("Order #")[1].split()[0]))
    services: Services = bot.bot_data["services"]
    sent = len(customer.bot_messages)

    for status, expect in (
        (S.CONFIRMED, "Confirmed by the restaurant"),
        (S.PREPARING, "Being prepared"),
        (S.OUT_FOR_DELIVERY, "On the way"),
        (S.DELIVERED, "Delivered"),
    ):
        await advance(uows, order_id, status, partner=(2001, "Ravi Kumar"))
        assert await refresh_tracking(bot.bot, services.orders, order_id)
        now = customer.message(tracking.message_id)
        assert now is not None and expect in now.text, now
        assert ("Delivery partner: Ravi Kumar" in now.text) == (status != S.CONFIRMED)

    assert len(customer.bot_messages) == sent  # edited, never re-sent
    assert now.text.count(" IST · ") == 5  # placed + four moves, each in Dominos' local time
    assert now.buttons == ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐", "🔁 Reorder"]
    assert await refresh_tracking(bot.bot, services.orders, order_id)  # again: no change, fine


async def test_an_order_without_a_tracking_message_is_left_alone(
    bot: AppType, customer: SandboxUser, uows: Uows
) -> None:
    order = await place_directly(uows, customer.id, "Pizza")
    services: Services = bot.bot_data["services"]

    assert not await refresh_tracking(bot.bot, services.orders, order.id)
    assert not await refresh_tracking(bot.bot, services.orders, OrderId(999_999))
    assert customer.bot_messages == []
