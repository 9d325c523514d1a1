"""Paid broadcasts (`allow_paid_broadcast`): their own, higher overall limit; the per-chat
limit still met; every one accepted counted, as Telegram would charge it. On an injected
clock: nothing here depends on how fast the machine is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import Bot

from sandbox import BotApiServer, RateLimits

FIRST = 5001


@pytest.fixture
async def paid(clock: Any, token: str) -> AsyncIterator[tuple[BotApiServer, Any]]:
    """A server with Telegram's limits (30 a second free, 1000 paid) and 300 open chats."""
    srv = BotApiServer(token, limits=RateLimits(), clock=clock)
    async with srv, httpx.AsyncClient(base_url=srv.url, timeout=10.0) as client:
        for chat_id in range(FIRST, FIRST + 300):
            srv.user(chat_id)
            srv.state.open_chat(chat_id)

        async def call(method: str, **params: Any) -> int:
            response = await client.post(f"/bot{token}/{method}", json=params)
            return response.status_code

        yield srv, call


async def test_paid_broadcasts_go_past_the_free_overall_limit(
        paid: tuple[BotApiServer, Any]) -> None:
    server, call = paid
    free = [await call("sendMessage", chat_id=FIRST + n, text="free") for n in range(31)]
    assert free == [200] * 30 + [429]  # the free limit is spent within this second
    statuses = [await call("sendMessage", chat_id=FIRST + 31 + n, text="paid",
                           allow_paid_broadcast=True) for n in range(200)]
    assert statuses == [200] * 200
    assert server.sends.paid == 200 and server.sends.free == 30
    assert server.sends.busiest_second(paid=True) == 200
    assert server.sends.busiest_second(paid=False) == 30


async def test_a_call_without_the_parameter_still_meets_the_free_limit(
        paid: tuple[BotApiServer, Any]) -> None:
    _, call = paid
    for n in range(100):
        assert await call("sendMessage", chat_id=FIRST + n, text="paid",
                          allow_paid_broadcast=True) == 200
    free = [await call("sendMessage", chat_id=FIRST + 100 + n, text="free") for n in range(31)]
    assert free == [200] * 30 + [429]  # paid ones took nothing from the free budget


async def test_a_paid_broadcast_still_meets_its_chats_limit(
        paid: tuple[BotApiServer, Any], clock: Any) -> None:
    server, call = paid
    burst = [await call("sendMessage", chat_id=FIRST, text=f"m{n}", allow_paid_broadcast=True)
             for n in range(4)]
    assert burst == [200, 200, 200, 429]  # three at once to one chat, then one a second
    clock.advance(1.0)
    assert await call("sendMessage", chat_id=FIRST, text="later", allow_paid_broadcast=True) == 200
    assert server.sends.paid == 4  # the refused one is not charged


async def test_the_paid_limit_is_the_servers_to_set(clock: Any, token: str) -> None:
    limits = RateLimits(paid_per_s=5.0, paid_burst=5)
    async with BotApiServer(token, limits=limits, clock=clock) as server, \
            httpx.AsyncClient(base_url=server.url) as client:
        for chat_id in range(FIRST, FIRST + 10):
            server.user(chat_id)
            server.state.open_chat(chat_id)

        async def send(chat_id: int) -> int:
            response = await client.post(f"/bot{token}/sendMessage", json={
                "chat_id": chat_id, "text": "paid", "allow_paid_broadcast": True})
            return response.status_code

        assert [await send(FIRST + n) for n in range(6)] == [200] * 5 + [429]
        clock.advance(1.0)
        assert await send(FIRST + 6) == 200
        assert server.sends.paid == 6


async def test_an_edit_is_never_a_paid_broadcast(paid: tuple[BotApiServer, Any]) -> None:
    server, call = paid
    assert await call("sendMessage", chat_id=FIRST, text="v0") == 200
    message_id = server.user(FIRST).bot_messages[-1].message_id
    assert await call("editMessageText", chat_id=FIRST, message_id=message_id, text="v1",
                      allow_paid_broadcast=True) == 200  # the Bot API has no such parameter
    assert server.sends.paid == 0


async def test_ptb_sends_the_parameter_the_server_counts(server: BotApiServer, bot: Bot) -> None:
    server.user(FIRST)
    server.state.open_chat(FIRST)
    await bot.send_message(FIRST, "paid", allow_paid_broadcast=True)
    await bot.send_location(FIRST, 12.97, 77.59, allow_paid_broadcast=True)
    await bot.send_message(FIRST, "free")
    assert (server.sends.paid, server.sends.free) == (2, 1)
