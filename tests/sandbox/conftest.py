"""Fixtures for the Bot API sandbox tests: a server, a raw HTTP client and a PTB Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from telegram import Bot

from sandbox import BotApiServer

TOKEN = "123456:TEST-TOKEN"

ApiCall = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]


class FakeClock:
    """A controllable monotonic clock for rate-limit tests (no sleeping)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    """A running server with flood limits off (limit tests build their own)."""
    async with BotApiServer(TOKEN, limits=None) as srv:
        yield srv


@pytest.fixture
async def http(server: BotApiServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=5.0) as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> ApiCall:
    """``status, body = await api("sendMessage", chat_id=1, text="hi")`` (JSON body)."""

    async def call(method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await http.post(f"/bot{TOKEN}/{method}", json=params)
        return response.status_code, response.json()

    return call


@pytest.fixture
async def hurried(token: str) -> AsyncIterator[tuple[BotApiServer, ApiCall]]:
    """A server whose bot has 0.2 s to answer a pre-checkout query, and its ``api``."""
    async with (BotApiServer(token, limits=None, pre_checkout_timeout=0.2) as srv,
                httpx.AsyncClient(base_url=srv.url, timeout=5.0) as client):

        async def call(method: str, **params: Any) -> tuple[int, dict[str, Any]]:
            response = await client.post(f"/bot{token}/{method}", json=params)
            return response.status_code, response.json()

        yield srv, call


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
