"""UPDATE_CONCURRENCY: different users are answered at once up to the setting, one at a time at
1; one user's updates always in the order sent."""

from __future__ import annotations

import asyncio
import time
from itertools import pairwise
from pathlib import Path

from bot.wiring import polling, seed_database
from sandbox import BotApiServer, Faults, TranscriptEvent
from tests.e2e.conftest import e2e_settings

SLOW_S = 1.0  # every message the bot sends takes Telegram this long
USERS = 3


async def answer_times(server: BotApiServer, folder: Path, concurrency: int) -> list[float]:
    """Three users send /help at the same moment; when each answer arrived, in order."""
    settings = e2e_settings(server, folder, update_concurrency=concurrency)
    await seed_database(settings)
    users = [server.user(3000 + i) for i in range(USERS)]
    answered: list[float] = []

    def on_event(event: TranscriptEvent) -> None:
        if event.kind == "bot_message":
            answered.append(time.monotonic())

    async with polling(settings):
        server.set_faults(Faults(delay_rate=1.0, delay_s=SLOW_S, methods={"sendMessage"}))
        server.add_listener(on_event)
        await asyncio.gather(*(u.send("/help") for u in users))
        for user in users:
            await user.wait_for_text("/restaurants", timeout=USERS * SLOW_S + 10)
    return answered


async def test_different_users_are_answered_at_once(server: BotApiServer, tmp_path: Path) -> None:
    answered = await answer_times(server, tmp_path, concurrency=USERS)
    assert len(answered) == USERS
    assert answered[-1] - answered[0] < SLOW_S * 0.9, "one after another"


async def test_at_one_update_at_a_time_users_are_answered_one_after_another(
    server: BotApiServer, tmp_path: Path
) -> None:
    answered = await answer_times(server, tmp_path, concurrency=1)
    assert len(answered) == USERS
    gaps = [later - earlier for earlier, later in pairwise(answered)]
    assert all(gap >= SLOW_S * 0.9 for gap in gaps), gaps
