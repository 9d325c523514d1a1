"""Opening hours through the real bot (issue 14): an admin closes a restaurant for two days,
and the restaurant list and its menu say so, with when it opens; nothing can be ordered."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
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
    days = [today, today + timedelta(days=1)]  # closed across midnight, should the test be
    for day in days:
        set_to = await say(admin, f"/closed {dominos.id} {day.isoformat()}", "takes orders")
    assert f"Closed days: {days[0].isoformat()}, {days[1].isoformat()}" in set_to.content

    listing = await say(customer, "/restaurants", "Restaurants")
    menu = await press(customer, "Dominos · closed", "MG Road")

    opens = r"opens (?:tomorrow|Mon|Tue|Wed|Thu|Fri|Sat|Sun) at 00:00"  # after the two days
    assert re.search(r"Dominos — MG Road, Bengaluru · 🔒 closed now · " + opens, listing.text)
    assert "Closed now" in menu.content and re.search(opens, menu.content)
    assert not any(button.startswith("➕") for button in menu.buttons)
