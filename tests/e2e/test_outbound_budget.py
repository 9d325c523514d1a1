"""One outbound budget (issue 11): users' own actions are answered long before a backlog of
notifications drains, the backlog uses the rest of Telegram's ~30 a second, and nothing meets
a 429 from the local Bot API server's Telegram-like flood limits."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.settings import Settings
from domain.messages import Notification, OfferExpired
from sandbox import BotApiServer, SandboxUser, TranscriptEvent
from tests.e2e.conftest import e2e_settings
from tests.e2e.journey import Uows, say

BACKLOG = 240  # notifications to as many chats: eight seconds of Telegram's whole budget
FIRST_CHAT = 50_000
ASKING = 7000


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, outbox_interval_s=0.05)  # the default global budget


def open_chats(server: BotApiServer, first: int, count: int) -> set[int]:
    """`count` people who once talked to the bot, from user id `first` on."""
    chats = set(range(first, first + count))
    for chat in chats:
        server.user(chat)
        server.state.open_chat(chat)
    return chats


async def notify(uows: Uows, chats: set[int]) -> None:
    """One notification to each chat, committed together."""
    async with uows() as uow:
        for n, chat in enumerate(sorted(chats)):
            await uow.outbox.add(Notification(chat, OfferExpired(n)), datetime.now(UTC))
        await uow.commit()


def too_fast(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The 429s the local Bot API server answered (it logs each)."""
    return [r.getMessage() for r in caplog.records if "rate limit" in r.getMessage()]


async def test_twenty_users_help_is_answered_long_before_a_backlog_of_notifications_drains(
    bot: object, server: BotApiServer, uows: Uows, customer: SandboxUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="sandbox.server")  # it logs every 429 it answers
    await say(customer, "/start", "Foodbot")
    delivered: list[int] = []
    chats = open_chats(server, FIRST_CHAT, BACKLOG)
    await notify(uows, chats)
    server.add_listener(lambda e: delivered.append(e.chat_id)
                        if _sent(e) and e.chat_id in chats else None)
    await customer.wait_until(lambda: len(delivered) >= 45, timeout=30)  # past the burst

    users = [customer] + [server.user(ASKING + i) for i in range(19)]  # twenty at once
    before = len(delivered)
    await asyncio.gather(*(say(u, "/help", "/restaurants") for u in users))
    ahead = len(delivered) - before  # ~30 a second go on meanwhile; here, 5-10 (2-core box)
    assert ahead < 90, f"{ahead} notifications went out before the last answer"
    await customer.wait_until(lambda: len(delivered) >= BACKLOG, timeout=60)
    assert sorted(delivered) == sorted(chats), "each notification once"
    assert too_fast(caplog) == []


def _sent(event: TranscriptEvent) -> bool:
    return event.kind == "bot_message"
