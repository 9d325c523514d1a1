"""One outbound budget for two instances (issue 11): with REDIS_URL, two webhook instances on
one database and one Redis together stay under Telegram's limit, so a crowd answered by both
meets no 429 from the local Bot API server's flood limits.

The limits are Telegram's shape at a third of its rate (10 messages a second for the bot, and
RATE_LIMIT_GLOBAL_PER_S set to match) so that two instances pacing alone, at 10 a second each,
would clearly go over it within the test's crowd. A small balancer in the test sends each
user's updates to one instance by user id, as HAProxy's hash does.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.settings import Settings
from bot.webhook import SECRET_HEADER
from sandbox import BotApiServer, RateLimits, SandboxUser
from tests.e2e.backends import BACKENDS, database_on
from tests.e2e.inbox_kit import telegram_bot
from tests.e2e.test_shared_state import SECRET, free_port, instance_settings, two_instances

PER_S = 10.0  # the bot's budget and the server's limit alike
CROWD = 60  # users saying /help at once: six seconds of the whole budget
FIRST_USER = 7000


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_on(request.param, f"sqlite+aiosqlite:///{tmp_path / 'budget.db'}") as url:
        yield url


@asynccontextmanager
async def balancer(settings: Sequence[Settings]) -> AsyncIterator[tuple[str, Counter[int]]]:
    """Forwards each update to instance `user id % N`; yields its URL and the updates each
    instance answered 2xx."""
    urls = [s.webhook_url for s in settings]
    answered: Counter[int] = Counter()
    async with aiohttp.ClientSession() as http:

        async def forward(request: web.Request) -> web.Response:
            body = await request.read()
            index = _user_of(json.loads(body)) % len(urls)
            url = urls[index]
            assert url is not None
            async with http.post(url, data=body, headers={
                    SECRET_HEADER: request.headers.get(SECRET_HEADER, ""),
                    "Content-Type": "application/json"}) as answer:
                if answer.status < 300:
                    answered[index] += 1
                return web.Response(status=answer.status, body=await answer.read())

        app = web.Application()
        app.router.add_post("/telegram", forward)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield f"http://127.0.0.1:{port}/telegram", answered
        finally:
            await runner.cleanup()


def _user_of(update: dict[str, object]) -> int:
    for value in update.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"]["id"])
    return 0


async def test_two_instances_sharing_one_budget_answer_a_crowd_with_no_429(
    server: BotApiServer, tmp_path: Path, database_url: str, redis_url: str,
    redis_prefix: str, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="sandbox.server")  # it logs every 429 it answers
    server.set_limits(RateLimits(global_per_s=PER_S, global_burst=int(PER_S)))
    settings = [instance_settings(server, tmp_path, database_url, redis_url, redis_prefix,
                                  rate_limit_global_per_s=PER_S) for _ in range(2)]
    users = [server.user(FIRST_USER + n) for n in range(CROWD)]

    async with two_instances(*settings), balancer(settings) as (url, answered):
        async with telegram_bot(settings[0]) as bot:  # what HAProxy's URL would be
            await bot.set_webhook(url, secret_token=SECRET)
        for user in users:
            await user.send("/help")
        await asyncio.gather(*(u.wait_until(lambda u=u: _helped(u), timeout=120)
                               for u in users))

    assert all(count > CROWD // 4 for count in answered.values()) and len(answered) == 2
    refused = [r.getMessage() for r in caplog.records if "rate limit" in r.getMessage()]
    assert refused == [], f"{len(refused)} 429s: {refused[:3]}"


def _helped(user: SandboxUser) -> bool:
    return any("/restaurants" in m.text for m in user.bot_messages)
