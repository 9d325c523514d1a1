"""Webhook mode: an update is in the inbox before the webhook answers 200; what could not be
stored is not acknowledged (Telegram sends it again); forged requests store nothing."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx

from bot.clock import SystemClock
from bot.intake import Intake
from bot.settings import Settings
from bot.webhook import SECRET_HEADER, WebhookServer
from bot.wiring import polling, seed_database
from domain.inbox import InboundUpdate
from sandbox import BotApiServer, SandboxUser
from storage.db import make_engine, make_sessionmaker
from storage.inbox import SqlInbox
from tests.e2e.conftest import e2e_settings
from tests.e2e.inbox_kit import WAIT, acknowledged, inbox_rows, telegram_bot

SECRET = "s3cret-Token_1"
HELP = "/restaurants"


class FailsOnce(SqlInbox):
    """The database refuses the first write (it was down for a moment)."""

    failed = False

    async def store(self, updates: Sequence[InboundUpdate], now: datetime) -> list[int]:
        if not self.failed:
            self.failed = True
            raise ConnectionError("database unavailable")
        return await super().store(updates, now)


@asynccontextmanager
async def webhook_only(
    settings: Settings, server: BotApiServer, inbox_type: type[SqlInbox] = SqlInbox
) -> AsyncIterator[WebhookServer]:
    """An instance that receives by webhook and stores, and never handles anything."""
    engine = make_engine(settings.database_url)
    try:
        async with telegram_bot(settings) as bot:
            intake = Intake(inbox_type(make_sessionmaker(engine)), SystemClock())
            hook = WebhookServer(intake, listen="127.0.0.1", port=0,
                                 url="https://bot.example/hook", secret=SECRET)
            await hook.start()
            try:
                await bot.set_webhook(f"http://127.0.0.1:{hook.port}/hook", secret_token=SECRET)
                yield hook
            finally:
                await hook.stop()
    finally:
        await engine.dispose()


async def test_an_update_the_webhook_acknowledged_is_stored_and_handled_after_a_crash(
    server: BotApiServer, settings: Settings, customer: SandboxUser
) -> None:
    await seed_database(settings)
    async with webhook_only(settings, server):
        await customer.send("/help")
        await acknowledged(server)  # the webhook answered 200 ...
        assert await inbox_rows(settings) == [(1, customer.id, False)]  # ... once it was stored
    assert customer.bot_messages == []

    async with polling(settings):  # deletes the webhook, handles what is in the inbox
        await customer.wait_for_text(HELP, timeout=WAIT)


async def test_an_update_that_could_not_be_stored_is_not_acknowledged_and_comes_again(
    server: BotApiServer, settings: Settings, customer: SandboxUser
) -> None:
    await seed_database(settings)
    async with webhook_only(settings, server, FailsOnce):
        await customer.send("/help")
        await acknowledged(server)
        assert "500" in server.webhook_info()["last_error_message"]
        assert await inbox_rows(settings) == [(1, customer.id, False)]


async def test_requests_without_the_secret_or_an_update_are_refused_and_store_nothing(
    server: BotApiServer, settings: Settings
) -> None:
    await seed_database(settings)
    update = {"update_id": 7, "message": {"message_id": 1, "date": 0, "text": "/help",
                                          "chat": {"id": 1001, "type": "private"}}}
    async with webhook_only(settings, server) as hook, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{hook.port}/hook"
        forged = await client.post(url, json=update, headers={SECRET_HEADER: "guess"})
        unsigned = await client.post(url, json=update)
        garbage = await client.post(url, content=b"{not json", headers={SECRET_HEADER: SECRET})
    assert (forged.status_code, unsigned.status_code, garbage.status_code) == (403, 403, 400)
    assert await inbox_rows(settings) == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_bot_in_webhook_mode_answers_through_the_inbox(
    server: BotApiServer, tmp_path: Path, customer: SandboxUser
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    settings = e2e_settings(server, tmp_path, webhook_url=url,
                            webhook_listen="127.0.0.1", webhook_port=port, webhook_secret=SECRET)
    await seed_database(settings)
    async with polling(settings):
        assert server.webhook_info()["url"] == url
        await customer.send("/help")
        await customer.wait_for_text(HELP, timeout=WAIT)
    assert await inbox_rows(settings) == [(1, customer.id, True)]
