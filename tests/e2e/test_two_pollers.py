"""Two instances polling one bot token on one database: one polls, the other says so once and
stands by, then takes over when the first stops. No 409 Conflict, no lost press. Something
polling the token from outside the database makes the instance stop polling, in one line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from telegram.error import Conflict

from bot.runner import Running
from bot.wiring import running, seed_database
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import e2e_settings
from tests.e2e.inbox_kit import WAIT, telegram_bot
from tests.e2e.journey import eventually

HELP = "/restaurants"


async def polls(instance: Running) -> bool | None:
    assert instance.poller is not None
    return instance.poller.leading or None


async def help_answered(users: list[SandboxUser]) -> None:
    """Each user asks for /help, then /cart, at once with the others, and gets exactly those
    two answers, in that order."""
    before = {user.id: len(user.bot_messages) for user in users}
    for command in ("/help", "/cart"):
        await asyncio.gather(*(user.send(command) for user in users))
    for user in users:
        await user.wait_until(lambda u=user: len(u.bot_messages) >= before[u.id] + 2, WAIT)
        help_, cart = user.bot_messages[before[user.id]:]
        assert HELP in help_.text and "cart is empty" in cart.text, user.describe()


def lines(caplog: pytest.LogCaptureFixture, words: str) -> int:
    return sum(words in record.getMessage() for record in caplog.records)


async def test_a_second_instance_stands_by_then_takes_over_without_a_conflict(
    server: BotApiServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    settings = e2e_settings(server, tmp_path, inbox_lease_s=1.0)
    await seed_database(settings)
    users = [server.user(1001 + n, first_name=f"User{n}") for n in range(6)]
    first_stack, second_stack = AsyncExitStack(), AsyncExitStack()
    async with first_stack, second_stack:
        first = await first_stack.enter_async_context(running(settings))
        await eventually(lambda: polls(first), WAIT)
        second = await second_stack.enter_async_context(running(settings))
        await eventually(lambda: _standing_by(caplog), WAIT)
        await help_answered(users)

        await first_stack.aclose()  # the polling instance stops cleanly
        await eventually(lambda: polls(second), WAIT)
        await help_answered(users)

    assert lines(caplog, "is polling this bot: this one stands by") == 1
    assert lines(caplog, "took over polling") == 1
    assert lines(caplog, "Conflict") == 0  # neither instance ever got a 409


async def _standing_by(caplog: pytest.LogCaptureFixture) -> bool | None:
    return lines(caplog, "stands by as a queue and outbox worker") > 0 or None


async def test_an_instance_outside_the_database_polling_the_token_stops_this_one_polling(
    server: BotApiServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.polling")
    settings = e2e_settings(server, tmp_path, inbox_lease_s=1.0)
    await seed_database(settings)
    async with running(settings) as ours, telegram_bot(settings) as foreign:
        await eventually(lambda: polls(ours), WAIT)

        async def poll_forever() -> None:
            while True:
                with contextlib.suppress(Conflict):
                    await foreign.get_updates(timeout=1)

        other = asyncio.create_task(poll_forever())
        try:
            await eventually(lambda: _blocked(ours), 3 * WAIT)
        finally:
            other.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await other
    assert lines(caplog, "something outside this database polls this bot token") == 1


async def _blocked(instance: Running) -> bool | None:
    assert instance.poller is not None
    return (instance.poller.blocked and not instance.poller.leading) or None
