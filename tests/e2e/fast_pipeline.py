"""Fixtures for end-to-end tests of the order pipeline's chat side: the queue and the outbox
tick every 50 ms, and flood limits are off (pacing has its own tests in
test_notifications.py), so a whole order runs in well under a second.

A test module takes them with `from tests.e2e.fast_pipeline import ...  # noqa: F401`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox import BotApiServer
from tests.e2e.conftest import e2e_settings
from tests.e2e.journey import Uows, restaurant


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, queue_interval_s=0.05, outbox_interval_s=0.05,
                        rate_limit_per_chat_per_s=20.0)


@pytest.fixture(autouse=True)
def no_flood_limits(server: BotApiServer) -> None:
    server.set_limits(None)


@pytest.fixture
async def ready_at_once(bot: object, uows: Uows) -> None:
    """Dominos cooks instantly, so a partner may pick up as soon as they accept (on the
    seeded database the running `bot` made)."""
    dominos = await restaurant(uows, "Dominos")
    async with uows() as uow:
        await uow.restaurants.save(replace(dominos, prep_minutes=0))
        await uow.commit()
