"""Paid broadcasts (PAID_BROADCAST) through the local Bot API server with Telegram's limits on
(30 a second free, 1000 paid, one a second per chat after a burst of three): with the setting
on, notifications to many chats go past the free limit, each one a paid broadcast, with no
429; the reply to a user's own action is not paid for. With it off the same load keeps to the
free limit (the server, enforcing it, refuses none) and nothing is paid for.

Nothing here is timed: the server counts what it accepted per whole second of its clock. In
the paid run the sender claims the 200 notifications a hundred at a time, back to back, and
sends each batch together, so only a machine too slow to make 30 loopback calls a second
could keep the busiest second at 30 (on this 2-core machine all 200 came within one)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox import BotApiServer, SandboxUser, TranscriptEvent
from tests.e2e.conftest import e2e_settings
from tests.e2e.journey import Uows, say
from tests.e2e.test_outbound_budget import notify, open_chats, too_fast

FREE_PER_S = 30  # Telegram's, and the local server's, free overall limit
CHATS = 200
FIRST_CHAT = 60_000


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    return e2e_settings(server, tmp_path, outbox_interval_s=0.05, paid_broadcast=request.param)


async def notify_everyone(server: BotApiServer, uows: Uows, customer: SandboxUser) -> None:
    """The customer's /start answered, then one notification to each of CHATS chats, all
    delivered."""
    await say(customer, "/start", "Foodbot")
    chats = open_chats(server, FIRST_CHAT, CHATS)
    delivered: set[int] = set()

    def heard(event: TranscriptEvent) -> None:
        if event.kind == "bot_message" and event.chat_id in chats:
            delivered.add(event.chat_id)

    server.add_listener(heard)
    await notify(uows, chats)
    await customer.wait_until(lambda: len(delivered) >= CHATS, timeout=90)


@pytest.mark.parametrize("settings", [True], indirect=True)
async def test_paid_notifications_go_past_the_free_limit_each_paid_for_with_no_429(
    bot: object, server: BotApiServer, uows: Uows, customer: SandboxUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="sandbox.server")  # it logs every 429 it answers
    await notify_everyone(server, uows, customer)
    assert server.sends.paid == CHATS  # every notification carried allow_paid_broadcast
    assert server.sends.free == 1  # the reply to /start: a user's own action is never paid
    assert server.sends.busiest_second(paid=True) > FREE_PER_S
    assert too_fast(caplog) == []


@pytest.mark.parametrize("settings", [False], indirect=True)
async def test_without_paid_broadcast_the_same_load_keeps_to_the_free_limit(
    bot: object, server: BotApiServer, uows: Uows, customer: SandboxUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="sandbox.server")
    await notify_everyone(server, uows, customer)
    assert server.sends.paid == 0
    assert server.sends.free == CHATS + 1
    assert too_fast(caplog) == []  # the server's 30 a second refused none
