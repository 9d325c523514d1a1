"""getUpdates long polling, offsets, conflicts, and webhook delivery."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from sandbox import BotApiServer

CONFLICT_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first")


async def until_polling(server: BotApiServer) -> None:
    """Wait (no sleeping) until a long poll is parked on the server."""
    await server.state.notifier.wait_for(lambda: server.state.updates.waiting_polls or None, 2)


async def test_long_poll_returns_early_when_an_update_arrives(
        server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    started = time.monotonic()
    async with asyncio.timeout(3):  # far below the 30 s poll timeout
        poll = asyncio.create_task(api("getUpdates", timeout=30))
        await until_polling(server)
        await asha.send("/start")
        status, body = await poll
    assert time.monotonic() - started < 3
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["/start"]


async def test_long_poll_times_out_with_empty_result(api: Any) -> None:
    started = time.monotonic()
    status, body = await api("getUpdates", timeout=0.2)
    assert (status, body["result"]) == (200, [])
    assert time.monotonic() - started >= 0.19


async def test_newer_poll_terminates_older_one(server: BotApiServer, api: Any) -> None:
    async with asyncio.timeout(3):
        first = asyncio.create_task(api("getUpdates", timeout=30))
        await until_polling(server)
        assert (await api("getUpdates", timeout=0))[0] == 200
        status, body = await first
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_stop_ends_pending_long_polls_promptly(token: str) -> None:
    server = BotApiServer(token, limits=None)
    await server.start()
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        poll = asyncio.create_task(client.post(f"/bot{token}/getUpdates", json={"timeout": 30}))
        await until_polling(server)
        async with asyncio.timeout(3):
            await server.stop()
            response = await poll
    assert response.json() == {"ok": True, "result": []}


async def test_offset_confirmation_and_negative_offset(server: BotApiServer, api: Any) -> None:
    asha = server.user(1001)
    for text in ("a", "b", "c"):
        await asha.send(text)
    _, body = await api("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in body["result"]] == ["c"]
    _, body = await api("getUpdates")
    assert [u["message"]["text"] for u in body["result"]] == ["c"]  # a and b dropped for good


async def test_parallel_users_get_own_chats_and_unique_update_ids(
        server: BotApiServer, api: Any) -> None:
    users = [server.user(2000 + i, first_name=f"U{i}") for i in range(20)]
    await asyncio.gather(*(u.send(f"hello from {u.id}") for u in users))
    await asyncio.gather(*(api("sendMessage", chat_id=u.id, text=f"hi {u.id}") for u in users))
    for u in users:
        assert [(m.from_bot, m.text) for m in u.messages] == [
            (False, f"hello from {u.id}"), (True, f"hi {u.id}")]
        assert [m.message_id for m in u.messages] == [1, 2]
    _, body = await api("getUpdates")
    ids = [up["update_id"] for up in body["result"]]
    assert len(ids) == len(set(ids)) == 20
    assert {up["message"]["chat"]["id"] for up in body["result"]} == {u.id for u in users}


class Receiver:
    """A tiny aiohttp webhook receiver on loopback."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.arrived = asyncio.Event()
        self.fail_first = 0

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_first > 0:
            self.fail_first -= 1
            return web.Response(status=500)
        body = await request.json()
        self.received.append((body, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        self.arrived.set()
        return web.Response(text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield rec, f"http://127.0.0.1:{port}/hook"
    await runner.cleanup()


async def test_webhook_delivery_with_secret_and_409_for_get_updates(
        server: BotApiServer, api: Any, receiver: tuple[Receiver, str]) -> None:
    rec, url = receiver
    assert (await api("setWebhook", url=url, secret_token="s3cr3t-token"))[0] == 200
    assert await api("getUpdates") == (409, {"ok": False, "error_code": 409,
                                             "description": CONFLICT_WEBHOOK})
    await server.user(1001).send("/start")
    async with asyncio.timeout(3):
        await rec.arrived.wait()
    body, secret = rec.received[0]
    assert secret == "s3cr3t-token"
    assert body["message"]["text"] == "/start"
    await server.user(1001).wait_until(lambda: not server.pending_updates, timeout=3)
    assert (await api("getWebhookInfo"))[1]["result"]["pending_update_count"] == 0


async def test_webhook_retries_after_failure(
        server: BotApiServer, api: Any, receiver: tuple[Receiver, str]) -> None:
    rec, url = receiver
    rec.fail_first = 1
    await server.user(1001).send("first")
    await api("setWebhook", url=url)
    async with asyncio.timeout(3):
        await rec.arrived.wait()
    assert [b["message"]["text"] for b, _ in rec.received] == ["first"]
    info = (await api("getWebhookInfo"))[1]["result"]
    assert info["last_error_message"].startswith("Wrong response from the webhook: 500")
    assert (await api("deleteWebhook"))[0] == 200
    assert (await api("getUpdates"))[0] == 200
