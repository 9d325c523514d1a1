"""What a running bot loads: only what its configuration uses (README "Memory"). Each library
left out is resident memory a process never pays: Alembic and Mako (~10 MB: the revision is
checked with one read), aiohttp's server (~2 MB: only a webhook or METRICS_PORT serves HTTP;
its client is the bot's Bot API client, bot/aiohttp_request.py), the Redis client (~6 MB: only
with REDIS_URL), prometheus_client (~1 MB: only when something serves /metrics, a webhook or
METRICS_PORT), matplotlib (only at an admin's first /stats chart), Babel (~4.5 MB of CLDR data:
only once someone is spoken to in a language other than English; the catalogs are read by the
standard library's gettext).

The bot runs in a fresh interpreter against the local Bot API server, answers a user, and then
says which of those libraries it had loaded.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from bot.settings import Settings
from bot.wiring import seed_database
from sandbox import SandboxUser
from tests.e2e.conftest import TOKEN
from tests.e2e.test_webhook_inbox import free_port

ROOT = Path(__file__).resolve().parents[2]
WITHIN_S = 60.0  # a fresh interpreter importing the bot, on a busy machine
OPTIONAL = ("alembic", "mako", "aiohttp.web", "redis", "prometheus_client", "matplotlib",
            "babel")

# runs the bot as `foodbot run` does (settings from the environment) until stdin closes, then
# prints the optional libraries it had loaded
SCRIPT = f"""
import asyncio, json, sys
from bot.settings import load_settings
from bot.wiring import running

async def main():
    async with running(load_settings()):
        print("serving", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    names = set(sys.modules) | {{m.split(".")[0] for m in sys.modules}}
    print(json.dumps(sorted(names & set({OPTIONAL!r}))))

asyncio.run(main())
"""


async def loaded_while_serving(
    settings: Settings, customer: SandboxUser, folder: Path, **env: str
) -> list[str]:
    """Starts the bot with `env` on top of `settings`, has it answer /start, and returns the
    optional libraries it had loaded by then."""
    clean = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    clean |= {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
              "TELEGRAM_BASE_URL": settings.telegram_base_url,
              "DATABASE_URL": settings.database_url, **env}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SCRIPT, cwd=folder, env=clean, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert process.stdin is not None and process.stdout is not None
    try:
        async with asyncio.timeout(WITHIN_S):
            assert await process.stdout.readline() == b"serving\n"
        await customer.send("/start")
        await customer.wait_for_new(lambda m: "Foodbot" in m.text, timeout=WITHIN_S)
        process.stdin.close()
        async with asyncio.timeout(WITHIN_S):
            out, _ = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    loaded = json.loads(out)
    assert isinstance(loaded, list)
    return loaded


async def test_a_polling_bot_loads_no_migrations_http_server_redis_client_or_metrics(
    settings: Settings, customer: SandboxUser, tmp_path: Path
) -> None:
    await seed_database(settings)

    assert await loaded_while_serving(settings, customer, tmp_path) == []


async def test_a_polling_bot_serving_metrics_loads_the_http_server_and_metrics_only(
    settings: Settings, customer: SandboxUser, tmp_path: Path
) -> None:
    await seed_database(settings)

    loaded = await loaded_while_serving(settings, customer, tmp_path,
                                        METRICS_PORT=str(free_port()))

    assert loaded == ["aiohttp.web", "prometheus_client"]


async def test_a_webhook_bot_loads_the_http_server_and_metrics_only(
    settings: Settings, customer: SandboxUser, tmp_path: Path
) -> None:
    await seed_database(settings)
    port = free_port()

    loaded = await loaded_while_serving(
        settings, customer, tmp_path, WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port))

    assert loaded == ["aiohttp.web", "prometheus_client"]


async def test_a_bot_sharing_state_through_redis_loads_the_redis_client_only(
    settings: Settings, customer: SandboxUser, tmp_path: Path, redis_url: str,
    redis_prefix: str,
) -> None:
    await seed_database(settings)

    loaded = await loaded_while_serving(settings, customer, tmp_path, REDIS_URL=redis_url,
                                        REDIS_PREFIX=redis_prefix)

    assert loaded == ["redis"]

