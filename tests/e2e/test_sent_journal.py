"""`foodbot run` killed after Telegram took a notification but before the database recorded
it: the restarted bot does not send it again (issue #10, item 8: the duplicates left in the
chaos run were all of this kind)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import seed_database
from sandbox import BotApiServer
from storage.db import sqlite_file
from storage.sent_journal import folder_for
from tests.e2e.conftest import e2e_settings
from tests.e2e.journey import TIMEOUT, Uows
from tests.e2e.test_kill_and_restart import START_S, foodbot_run
from tests.e2e.test_notifications import queue_notes, readies


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, outbox_interval_s=0.05)


def written_down(journals: Path) -> bool:
    """The bot has written down Telegram's answer (the file it writes first)."""
    return any(f.stat().st_size for f in journals.iterdir()) if journals.exists() else False


async def test_a_notification_telegram_took_just_before_a_kill_is_not_sent_again(
    server: BotApiServer, settings: Settings, uows: Uows, tmp_path: Path
) -> None:
    """The bot's record of the send waits behind another writer (this test, holding SQLite's
    write lock from the moment the message reaches the server) when the bot is killed."""
    await seed_database(settings)
    customer = server.user(3001, first_name="Asha")
    database = sqlite_file(settings.database_url)
    assert database is not None
    holder = sqlite3.connect(database, timeout=30, isolation_level=None)

    def hold_the_database(method: str, chat_id: int | None) -> None:
        if method == "sendmessage" and chat_id == customer.id:
            server.before_call(None)
            holder.execute("BEGIN IMMEDIATE")  # the bot's mark now waits for this

    bot = await foodbot_run(settings, tmp_path)
    try:
        await server.state.notifier.wait_for(
            lambda: server.state.updates.waiting_polls or None, START_S)
        await customer.send("/start")  # a chat the bot may write to
        await server.state.notifier.wait_for(lambda: customer.bot_messages or None, TIMEOUT)
        server.before_call(hold_the_database)
        await queue_notes(uows, (customer.id, 1))
        await server.state.notifier.wait_for(lambda: readies(customer) or None, TIMEOUT)
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while not written_down(folder_for(database)):
            assert asyncio.get_running_loop().time() < deadline, "no journal written"
            await asyncio.sleep(0.005)  # polls a file the bot writes, bounded by the deadline
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        holder.execute("ROLLBACK")

        bot = await foodbot_run(settings, tmp_path)
        await queue_notes(uows, (customer.id, 2))  # after the first, in the chat's order
        await server.state.notifier.wait_for(lambda: len(readies(customer)) >= 2 or None,
                                             START_S + TIMEOUT)
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), START_S) == 0
    finally:
        holder.close()
        if bot.returncode is None:
            bot.kill()
            await bot.wait()

    first, second = readies(customer)[:2]
    assert "#1" in first and "#2" in second
    assert len(readies(customer)) == 2  # the first one once
