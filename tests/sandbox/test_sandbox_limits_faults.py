"""Flood limits (429) on an injected clock, and fault injection (500s, delays, fail_next)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sandbox import BotApiServer, Faults, RateLimits
from sandbox.faults import InjectedFault
from sandbox.limits import RateLimiter


@pytest.fixture
async def limited(clock: Any, token: str) -> AsyncIterator[tuple[BotApiServer, Any]]:
    limits = RateLimits(per_chat_per_s=1.0, per_chat_burst=3, global_per_s=30.0, global_burst=30)
    srv = BotApiServer(token, limits=limits, clock=clock)
    async with srv, httpx.AsyncClient(base_url=srv.url) as client:

        async def call(method: str, **params: Any) -> tuple[int, dict[str, Any]]:
            response = await client.post(f"/bot{token}/{method}", json=params)
            return response.status_code, response.json()

        yield srv, call


async def test_per_chat_burst_then_429_without_side_effect(
        limited: tuple[BotApiServer, Any], clock: Any) -> None:
    server, call = limited
    asha = server.user(1001)
    await asha.send("/start")
    for i in range(3):
        assert (await call("sendMessage", chat_id=1001, text=f"m{i}"))[0] == 200
    status, body = await call("sendMessage", chat_id=1001, text="too fast")
    assert status == 429
    assert body == {"ok": False, "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1}}
    assert [m.text for m in asha.bot_messages] == ["m0", "m1", "m2"]
    clock.advance(1.0)
    assert (await call("sendMessage", chat_id=1001, text="later"))[0] == 200


async def test_retry_after_is_computed_from_the_bucket(token: str, clock: Any) -> None:
    limiter = RateLimiter(RateLimits(per_chat_per_s=0.25, per_chat_burst=1), clock)
    assert limiter.check(1) is None
    limiter.consume(1)
    assert limiter.check(1) == 4
    clock.advance(2.5)
    assert limiter.check(1) == 2  # 1.5 s left, rounded up
    assert limiter.check(2) is None  # other chats have their own bucket


async def test_global_limit_across_chats(token: str, clock: Any) -> None:
    limiter = RateLimiter(RateLimits(per_chat_burst=5, global_per_s=2.0, global_burst=2), clock)
    limiter.consume(1)
    limiter.consume(2)
    assert limiter.check(3) == 1


async def test_edits_not_counted_by_default_but_with_flag(
        limited: tuple[BotApiServer, Any]) -> None:
    server, call = limited
    await server.user(1001).send("/start")
    _, body = await call("sendMessage", chat_id=1001, text="v0")
    mid = body["result"]["message_id"]
    for i in range(1, 6):
        assert (await call("editMessageText", chat_id=1001, message_id=mid, text=f"v{i}"))[0] == 200
    server.set_limits(RateLimits(per_chat_burst=1, count_edits=True))
    assert (await call("editMessageText", chat_id=1001, message_id=mid, text="w1"))[0] == 200
    assert (await call("editMessageText", chat_id=1001, message_id=mid, text="w2"))[0] == 429
    server.set_limits(None)
    assert (await call("sendMessage", chat_id=1001, text="free"))[0] == 200


async def test_failed_calls_do_not_consume_tokens(limited: tuple[BotApiServer, Any]) -> None:
    server, call = limited
    await server.user(1001).send("/start")
    for _ in range(5):
        assert (await call("sendMessage", chat_id=1001, text=""))[0] == 400
    assert (await call("sendMessage", chat_id=1001, text="ok"))[0] == 200


async def test_error_rate_one_gives_500_and_stores_nothing(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    server.set_faults(Faults(error_rate=1.0, methods=["sendMessage"]))
    assert await api("sendMessage", chat_id=1001, text="lost") == (
        500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
    assert asha.bot_messages == []
    assert (await api("getMe"))[0] == 200  # other methods unaffected


async def test_exempt_methods_are_never_faulted(server: BotApiServer, api: Any) -> None:
    await server.user(1001).send("/start")
    server.set_faults(Faults(error_rate=1.0, exempt=["getMe"]))
    assert (await api("getMe"))[0] == 200
    assert (await api("sendMessage", chat_id=1001, text="lost"))[0] == 500


async def test_seeded_faults_are_deterministic(server: BotApiServer, api: Any) -> None:
    await server.user(1001).send("/start")

    async def run() -> list[int]:
        server.set_faults(Faults(error_rate=0.5, seed=7))
        return [(await api("getMe"))[0] for _ in range(12)]

    first, second = await run(), await run()
    assert first == second and 500 in first and 200 in first


async def test_fail_next(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    server.fail_next("sendMessage", 2)
    server.fail_next("answerCallbackQuery", code=429, retry_after=7)
    assert (await api("sendMessage", chat_id=1001, text="a"))[0] == 500
    assert (await api("getMe"))[0] == 200
    assert (await api("sendMessage", chat_id=1001, text="b"))[0] == 500
    assert (await api("sendMessage", chat_id=1001, text="c"))[0] == 200
    status, body = await api("answerCallbackQuery", callback_query_id="x")
    assert (status, body["parameters"]) == (429, {"retry_after": 7})
    assert [m.text for m in asha.bot_messages] == ["c"]


async def test_fail_next_for_one_chat_leaves_other_chats_alone(
        server: BotApiServer, api: Any) -> None:
    asha, bilal = server.user(1001), server.user(1002)
    await asha.send("/start")
    await bilal.send("/start")
    server.fail_next("sendMessage", code=429, retry_after=20, chat_id=1001)
    assert (await api("sendMessage", chat_id=1002, text="to bilal"))[0] == 200
    status, body = await api("sendMessage", chat_id=1001, text="lost")
    assert (status, body["parameters"]) == (429, {"retry_after": 20})
    assert (await api("sendMessage", chat_id=1001, text="to asha"))[0] == 200
    assert [m.text for m in asha.bot_messages] == ["to asha"]
    assert [m.text for m in bilal.bot_messages] == ["to bilal"]
    assert server.injected_faults == [InjectedFault("sendmessage", 1001, 429)]


async def test_delay_pushes_past_client_timeout_but_call_still_happens(
        server: BotApiServer, token: str) -> None:
    asha = server.user(1001)
    await asha.send("/start")
    server.set_faults(Faults(delay_rate=1.0, delay_s=0.3, methods=["sendMessage"]))
    async with httpx.AsyncClient(base_url=server.url, timeout=0.05) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f"/bot{token}/sendMessage", json={"chat_id": 1001, "text": "late"})
    # Like Telegram, the request is still performed after the client gave up.
    message = await asha.wait_for_text("late", timeout=2)
    assert message.from_bot
    assert server.injected_faults == [InjectedFault("sendmessage", 1001, None, 0.3)]
