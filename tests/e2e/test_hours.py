"""Opening hours through the real bot (issue 14): an admin closes a restaurant for the day,
and the restaurant list and its menu say so, with when it opens; nothing can be ordered."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import still_queue_settings
from tests.e2e.journey import Uows, press, restaurant, say


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return still_queue_settings(server, tmp_path)


async def test_a_restaurant_closed_for_the_day_says_when_it_opens_and_takes_nothing(
    bot: object, customer: SandboxUser, admin: SandboxUser, uows: Uows
) -> None:
    dominos = await restaurant(uows, "Dominos")
    today = datetime.now(UTC).astimezone(ZoneInfo(dominos.time_zone)).date()
    set_to = await say(admin, f"/closed {dominos.id} {today.isoformat()}", "takes orders")
    assert f"Closed days: {today.isoformat()}" in set_to.content

    listing = await say(customer, "/restaurants", "Restaurants")
    menu = await press(customer, "Dominos · closed", "MG Road")

    assert "Dominos — MG Road, Bengaluru · 🔒 closed now · opens tomorrow at 00:00" in (
        listing.text)
    assert "Closed now" in menu.content and "opens tomorrow at 00:00" in menu.content
    assert not any(button.startswith("➕") for button in menu.buttons)
