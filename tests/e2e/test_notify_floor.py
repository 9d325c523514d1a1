"""The notifications' floor (NOTIFY_FLOOR_PER_S) through the local Bot API server: while sixty
users' replies keep the whole outbound budget busy, notifications still go out at their floor
rather than after the last reply, each once, with no 429."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox import BotApiServer, SandboxUser, TranscriptEvent
from tests.e2e.conftest import e2e_settings
from tests.e2e.journey import Uows, say
from tests.e2e.test_outbound_budget import notify, open_chats, too_fast

BUDGET, FLOOR = 10.0, 2.0  # a small budget: sixty replies fill it for six seconds
ASKERS, NOTES = 60, 20
FIRST_ASKER, FIRST_CHAT = 7000, 50_000


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, outbox_interval_s=0.05,
                        rate_limit_global_per_s=BUDGET, notify_floor_per_s=FLOOR)


async def test_notifications_go_out_at_their_floor_while_replies_fill_the_budget(
    bot: object, server: BotApiServer, uows: Uows, customer: SandboxUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="sandbox.server")  # it logs every 429 it answers
    await say(customer, "/start", "Foodbot")
    askers = [server.user(FIRST_ASKER + i) for i in range(ASKERS)]
    notes = open_chats(server, FIRST_CHAT, NOTES)
    asking = {u.id for u in askers}
    arrivals: list[str] = []

    def heard(event: TranscriptEvent) -> None:
        if event.kind == "bot_message" and event.chat_id in asking | notes:
            arrivals.append("note" if event.chat_id in notes else "reply")

    server.add_listener(heard)
    for user in askers:
        await user.send("/help")
    await customer.wait_until(lambda: arrivals.count("reply") >= 5, timeout=30)
    await notify(uows, notes)  # queued while replies fill the budget
    await customer.wait_until(lambda: arrivals.count("reply") >= ASKERS, timeout=60)
    last_reply = len(arrivals) - 1 - arrivals[::-1].index("reply")
    before = arrivals[:last_reply].count("note")
    # ~5 s of replies left at 10 a second: about 10 notes at the floor; none without it
    assert before >= 4, f"{before} notifications before the last reply: {arrivals}"
    await customer.wait_until(lambda: arrivals.count("note") >= NOTES, timeout=60)
    assert arrivals.count("note") == NOTES, "each notification once"
    assert too_fast(caplog) == []
