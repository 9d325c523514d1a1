"""`foodbot run` as an operator starts it, against a local Bot API server that fails it at
start-up: a passing fault is ridden out, a lasting one ends the command in one clear line."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from bot.settings import Settings
from bot.wiring import migrate_database, polling, running
from sandbox import BotApiServer, Faults, SandboxUser
from tests.e2e.conftest import TOKEN
from tests.e2e.journey import say

ROOT = Path(__file__).resolve().parents[2]
STARTED_WITHIN_S = 60.0  # a fresh interpreter importing the bot, on a busy machine
STOPPED_WITHIN_S = 30.0


@asynccontextmanager
async def foodbot_run(
    settings: Settings, folder: Path, **env: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`foodbot run` in its own process against the sandbox; its log goes to folder/run.log."""
    clean = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    clean |= {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
              "TELEGRAM_BASE_URL": settings.telegram_base_url,
              "DATABASE_URL": settings.database_url, **env}
    with (folder / "run.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=folder, env=clean,
            stdout=log, stderr=asyncio.subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), STOPPED_WITHIN_S)


def attempts(log: str, method: str) -> list[str]:
    return [line for line in log.splitlines() if f"start-up: {method} failed" in line]


async def test_two_500s_on_get_me_at_start_up_are_ridden_out_and_the_bot_answers(
    settings: Settings, server: BotApiServer, customer: SandboxUser, tmp_path: Path
) -> None:
    await migrate_database(settings)
    server.fail_next("getMe", 2)
    async with foodbot_run(settings, tmp_path) as process:
        await customer.send("/help")
        await customer.wait_for_new(lambda m: "/restaurants" in m.text, timeout=STARTED_WITHIN_S)
        assert process.returncode is None
    assert process.returncode == 0  # stopped by SIGTERM, cleanly

    log = (tmp_path / "run.log").read_text()
    assert len(attempts(log, "getMe")) == 2
    assert "attempt 1: Internal Server Error" in log and "attempt 2:" in log
    assert TOKEN.partition(":")[2] not in log
    # once started, start-up's objects (tens of thousands) are out of the collector's way
    kept = re.search(r"started; (\d+) objects of start-up kept out of garbage collection", log)
    assert kept is not None and int(kept[1]) > 10_000, log[-2000:]


async def test_a_server_that_always_fails_ends_the_command_in_one_line_within_the_bound(
    settings: Settings, server: BotApiServer, tmp_path: Path
) -> None:
    bound = 4
    await migrate_database(settings)
    server.set_faults(Faults(error_rate=1.0, methods=["getMe"]))
    async with foodbot_run(settings, tmp_path, STARTUP_RETRY_S=str(bound)) as process:
        code = await asyncio.wait_for(process.wait(), STARTED_WITHIN_S + bound)
    ended = datetime.now()

    log = (tmp_path / "run.log").read_text()
    assert code == 1, log
    [verdict] = [line for line in log.splitlines() if line.startswith("foodbot:")]
    assert verdict == log.splitlines()[-1]
    assert verdict == (
        f"foodbot: could not start against {settings.telegram_base_url}: Telegram did not "
        f"answer getMe for {bound} s (STARTUP_RETRY_S), last: Internal Server Error: giving up")
    assert "Traceback" not in log and TOKEN.partition(":")[2] not in log
    tried = attempts(log, "getMe")
    assert len(tried) >= 2
    first_failure = datetime.strptime(tried[0][:23], "%Y-%m-%d %H:%M:%S,%f")
    assert bound - 1 <= (ended - first_failure).total_seconds() < bound + 15


async def test_failures_of_set_my_commands_and_delete_webhook_at_start_up_are_ridden_out(
    settings: Settings, server: BotApiServer, customer: SandboxUser
) -> None:
    await migrate_database(settings)
    server.fail_next("setMyCommands", code=500)
    server.fail_next("deleteWebhook", code=502)
    async with polling(settings):
        await say(customer, "/help", "/restaurants")
    assert [f.method for f in server.injected_faults] == ["setmycommands", "deletewebhook"]
    assert "help" in [c["command"] for c in server.commands["default"]]


async def test_a_poller_taking_over_long_after_start_up_rides_out_a_failed_delete_webhook(
    settings: Settings, server: BotApiServer, customer: SandboxUser
) -> None:
    """STARTUP_RETRY_S bounds start-up only: a poller that (re)starts leading later, as a
    standby taking over does, retries its deleteWebhook like any call of a running bot."""
    settings = settings.model_copy(update={"startup_retry_s": 0.2})
    await migrate_database(settings)
    async with running(settings) as live:
        await say(customer, "/help", "/restaurants")
        await asyncio.sleep(settings.startup_retry_s)  # the start-up window is over
        assert live.poller is not None
        await live.poller.stop()  # leading again: as after taking over from another instance
        server.fail_next("deleteWebhook", code=502)
        live.poller.start()
        await say(customer, "/help", "/restaurants")
    assert [f.method for f in server.injected_faults] == ["deletewebhook"]
