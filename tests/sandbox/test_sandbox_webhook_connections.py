"""Webhook delivery over parallel connections, as Telegram does it: up to max_connections
requests at once, one chat's updates one at a time and in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from sandbox import BotApiServer
from sandbox.notifier import Notifier

WAIT = 5.0


class HeldWebhook:
    """A webhook that keeps every request open until the test answers it."""

    def __init__(self) -> None:
        self.arrived: list[str] = []  # texts, in the order the requests came
        self.open: dict[str, asyncio.Future[int]] = {}  # text -> the status it will answer
        self.most_open = 0
        self.changed = Notifier()

    async def handle(self, request: web.Request) -> web.Response:
        text = (await request.json())["message"]["text"]
        answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.arrived.append(text)
        self.open[text] = answer
        self.most_open = max(self.most_open, len(self.open))
        self.changed.notify()
        try:
            return web.Response(status=await answer)
        finally:
            del self.open[text]
            self.changed.notify()

    async def until(self, condition: Callable[[], bool]) -> None:
        await self.changed.wait_for(lambda: condition() or None, WAIT)

    async def answer(self, text: str, status: int = 200) -> None:
        """Answers the open request for `text` (waiting for it to come)."""
        await self.until(lambda: text in self.open)
        self.open[text].set_result(status)


@pytest.fixture
async def webhook(server: BotApiServer, api: Any) -> AsyncIterator[
        Callable[..., Any]]:
    held = HeldWebhook()
    app = web.Application()
    app.router.add_post("/hook", held.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"

    async def set_webhook(**params: Any) -> HeldWebhook:
        assert (await api("setWebhook", url=url, **params))[0] == 200
        return held

    yield set_webhook
    for answer in held.open.values():
        if not answer.done():
            answer.set_result(200)
    await runner.cleanup()


async def all_delivered(server: BotApiServer) -> None:
    await server.state.notifier.wait_for(lambda: (not server.pending_updates) or None, WAIT)


async def send_all(server: BotApiServer, texts_by_user: dict[int, list[str]]) -> None:
    for user_id, texts in texts_by_user.items():
        for text in texts:
            await server.user(user_id).send(text)


async def test_chats_are_delivered_at_once_and_each_chat_one_update_at_a_time(
    server: BotApiServer, webhook: Callable[..., Any]
) -> None:
    await send_all(server, {1001: ["a1", "a2"], 1002: ["b1", "b2"], 1003: ["c1", "c2"]})
    held = await webhook()
    await held.until(lambda: len(held.open) == 3)
    assert sorted(held.arrived) == ["a1", "b1", "c1"]  # one per chat, all at once

    await held.answer("a1")
    await held.until(lambda: "a2" in held.arrived)
    assert sorted(held.arrived) == ["a1", "a2", "b1", "c1"]  # b2, c2 wait for b1, c1

    for text in ("b1", "c1", "a2", "b2", "c2"):
        await held.answer(text)
    await all_delivered(server)
    assert held.most_open == 3


async def test_no_more_requests_are_open_at_once_than_max_connections(
    server: BotApiServer, webhook: Callable[..., Any]
) -> None:
    await send_all(server, {1000 + n: [f"u{n}"] for n in range(5)})
    held = await webhook(max_connections=2)
    await held.until(lambda: len(held.open) == 2)
    assert held.arrived == ["u0", "u1"]  # oldest first
    for n in range(5):
        await held.answer(f"u{n}")
    await all_delivered(server)
    assert (sorted(held.arrived), held.most_open) == ([f"u{n}" for n in range(5)], 2)
    assert server.webhook_info()["max_connections"] == 2


async def test_a_failing_update_holds_back_only_its_own_chat(
    server: BotApiServer, webhook: Callable[..., Any]
) -> None:
    await send_all(server, {1001: ["a1", "a2"], 1002: ["b1", "b2"]})
    held = await webhook()
    await held.answer("a1", 500)  # a1 goes again later; a2 waits for it
    for text in ("b1", "b2"):
        await held.answer(text)
    await held.answer("a1")
    await held.answer("a2")
    await all_delivered(server)
    assert [t for t in held.arrived if t.startswith("a")] == ["a1", "a1", "a2"]
    assert held.arrived.index("b2") < held.arrived.index("a2")
    assert server.webhook_info()["last_error_message"].startswith(
        "Wrong response from the webhook: 500")
