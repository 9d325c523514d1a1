"""Helpers for the inbox's end-to-end tests: an instance that stores and acknowledges updates
but dies before handling any, a look at the inbox table, and a clock running ahead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from telegram.ext import ExtBot

from bot.clock import SystemClock
from bot.intake import Intake
from bot.polling import Poller
from bot.ratelimit import AppRateLimiter
from bot.settings import Settings
from domain.retry import RetryPolicy
from sandbox import BotApiServer
from storage.db import make_engine, make_sessionmaker
from storage.inbox import SqlInbox, SqlLeases
from storage.sql import INBOX

WAIT = 10.0  # seconds; generous for a busy two-core machine


@dataclass(frozen=True)
class Ahead:
    """The bot's clock, running `by` ahead of Telegram's: every update looks that old."""

    by: timedelta

    def now(self) -> datetime:
        return datetime.now(UTC) + self.by


@asynccontextmanager
async def telegram_bot(settings: Settings) -> AsyncIterator[ExtBot[Any]]:
    """A bot like the Application's: its calls go through the bot's rate limiter."""
    bot: ExtBot[Any] = ExtBot(settings.token(), base_url=settings.telegram_base_url,
                              rate_limiter=AppRateLimiter(RetryPolicy()))
    await bot.initialize()
    try:
        yield bot
    finally:
        await bot.shutdown()


async def acknowledged(server: BotApiServer) -> None:
    """Until Telegram holds no unacknowledged update (the poller moved its offset past all)."""
    await server.state.notifier.wait_for(lambda: (not server.pending_updates) or None, WAIT)


@asynccontextmanager
async def storing_only(settings: Settings, server: BotApiServer) -> AsyncIterator[SqlInbox]:
    """An instance that polls and stores every update, then stops before handling any: what
    a crash right after storing leaves behind. Ends once Telegram holds nothing unacknowledged.
    """
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    inbox, clock = SqlInbox(sessions), SystemClock()
    try:
        async with telegram_bot(settings) as bot:
            poller = Poller(bot, Intake(inbox, clock), SqlLeases(sessions), clock,
                            holder="stores-then-dies", lease_s=settings.inbox_lease_s, timeout=1)
            poller.start()
            try:
                yield inbox
                await acknowledged(server)
            finally:
                await poller.stop()
    finally:
        await engine.dispose()


async def inbox_rows(settings: Settings) -> list[tuple[int, int, bool]]:
    """(update_id, chat_id, done) of every stored update, oldest first."""
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(INBOX.c.update_id, INBOX.c.chat_id, INBOX.c.done_at.is_not(None))
                .order_by(INBOX.c.update_id))
            return [(row[0], row[1], bool(row[2])) for row in rows]
    finally:
        await engine.dispose()
