"""`foodbot run` killed with SIGKILL while users are waiting, then started again: every user
is answered (issue #10: without the inbox, 14-27 of 60 never were), and at once, not once the
dead process's leases run out."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import seed_database
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import TOKEN, e2e_settings

ROOT = Path(__file__).resolve().parents[2]
USERS = 30
KILL_AFTER = 5  # answers; by then the old bot had acknowledged (and lost) the rest
START_S, ANSWER_S = 60.0, 90.0  # deadlines for a busy two-core machine
HELP = "/restaurants"


async def foodbot_run(settings: Settings, folder: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(PYTHONPATH=str(ROOT), TELEGRAM_BOT_TOKEN=TOKEN, LOG_LEVEL="WARNING",
               TELEGRAM_BASE_URL=settings.telegram_base_url,
               TELEGRAM_BASE_FILE_URL=settings.file_url, DATABASE_URL=settings.database_url,
               INBOX_LEASE_S=str(settings.inbox_lease_s),
               OUTBOX_INTERVAL_S=str(settings.outbox_interval_s))
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=folder, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


def answered(user: SandboxUser) -> bool:
    return any(HELP in m.text for m in user.bot_messages)


@pytest.mark.parametrize("inbox_lease_s", [1.0, 3600.0], ids=["short-leases", "hour-leases"])
async def test_every_user_is_answered_when_the_bot_is_killed_and_restarted(
    server: BotApiServer, tmp_path: Path, inbox_lease_s: float
) -> None:
    """With hour-long leases only the restart's taking over the dead process's leases (its
    polling lease and the updates it was handling) gets anyone answered within the test."""
    settings = e2e_settings(server, tmp_path, inbox_lease_s=inbox_lease_s)
    await seed_database(settings)
    users = [server.user(3001 + n, first_name=f"User{n}") for n in range(USERS)]
    notifier = server.state.notifier
    bot = await foodbot_run(settings, tmp_path)
    try:
        await notifier.wait_for(lambda: server.state.updates.waiting_polls or None, START_S)
        await asyncio.gather(*(user.send("/help") for user in users))
        await notifier.wait_for(lambda: (sum(map(answered, users)) >= KILL_AFTER) or None,
                                ANSWER_S)
        bot.send_signal(signal.SIGKILL)  # mid-work: some answered, others stored or in flight
        await bot.wait()

        bot = await foodbot_run(settings, tmp_path)
        await notifier.wait_for(lambda: all(map(answered, users)) or None, START_S + ANSWER_S)
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), START_S) == 0  # a clean stop
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
