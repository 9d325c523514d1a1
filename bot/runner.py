"""Runs a built Application with the inbox (DESIGN.md §4): updates come in by long polling or
by webhook, are stored before they are acknowledged, and are handled from the inbox.

PTB's own Updater is not used: it hands updates to an in-memory queue and acknowledges them
before any handler ran, so a crash lost them. Start-up order: the Application (getMe, the
command menu, the queue and outbox jobs), the inbox dispatcher (which at once handles what
a previous run left), then the intake. Stopping runs it backwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.context import AppType, Services
from bot.holders import REAP_EVERY_S, Reaper
from bot.inbox import InboxDispatcher
from bot.intake import Admit, Intake, keep_all
from bot.jobs import Jobs
from bot.polling import POLL_TIMEOUT_S, Poller
from domain.inbox import Inbox, InboxPolicy, Leases
from domain.ports import Clock

if TYPE_CHECKING:  # imported where served: aiohttp loads only when something listens
    from bot.ops_http import OpsServer
    from bot.webhook import WebhookServer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboxParts:
    """The inbox's storage side and this instance's name, built at the composition root."""

    inbox: Inbox
    leases: Leases
    worker: str  # names this instance in the inbox's and the polling leases
    admit: Admit = keep_all  # drops updates before they are stored (the inbound rate limit)
    reaper: Reaper | None = None  # ends the leases of this machine's dead processes


@dataclass(frozen=True)
class Running:
    app: AppType
    dispatcher: InboxDispatcher
    poller: Poller | None  # polling mode
    webhook: WebhookServer | None  # webhook mode, also serving /healthz and /metrics
    ops: OpsServer | None = None  # polling mode with METRICS_PORT set: /healthz and /metrics


@asynccontextmanager
async def serving(
    app: AppType, parts: InboxParts, *, poll_timeout: int = POLL_TIMEOUT_S
) -> AsyncIterator[Running]:
    """The Application running with its inbox until the block ends."""
    services = app.bot_data["services"]
    assert isinstance(services, Services)
    settings, clock = services.settings, services.clock
    async with AsyncExitStack() as stack:
        if parts.reaper is not None:
            await _reap(parts.reaper, clock)  # a restart after a crash carries on at once
        # closes the HTTP sessions also when initialize fails after opening them (at getMe);
        # after app.shutdown, which closes them too, it does nothing
        stack.push_async_callback(app.bot.shutdown)
        await app.initialize()
        stack.push_async_callback(app.shutdown)
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        stack.push_async_callback(app.stop)
        jobs = Jobs(app, services)
        jobs.start()
        stack.push_async_callback(jobs.stop)
        policy = InboxPolicy(timedelta(seconds=settings.inbox_stale_after_s))
        metrics = services.ops.metrics
        dispatcher = InboxDispatcher(app, parts.inbox, clock, policy, worker=parts.worker,
                                     lease_s=settings.inbox_lease_s,
                                     concurrency=settings.update_concurrency,
                                     on_handled=metrics.handled, languages=services.languages)
        dispatcher.start()
        stack.push_async_callback(dispatcher.stop)
        if parts.reaper is not None:
            reaping = asyncio.create_task(_reaping(parts.reaper, clock), name="reaper")
            stack.push_async_callback(_cancelled, reaping)
        intake = Intake(parts.inbox, clock, admit=parts.admit, on_stored=dispatcher.wake)
        poller, webhook, ops = None, None, None
        if settings.webhook_url:
            from bot.webhook import WebhookServer

            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret \
                else None
            webhook = WebhookServer(intake, listen=settings.webhook_listen,
                                    port=settings.webhook_port, url=settings.webhook_url,
                                    secret=secret, ops=services.ops)
            await webhook.start()
            stack.push_async_callback(webhook.stop)
            await app.bot.set_webhook(settings.webhook_url, secret_token=secret)
        else:
            if settings.metrics_port:  # before polling: a port in use stops the start
                from bot.ops_http import OpsServer

                ops = OpsServer(services.ops, listen=settings.metrics_listen,
                                port=settings.metrics_port)
                await ops.start()
                stack.push_async_callback(ops.stop)
            poller = Poller(app.bot, intake, parts.leases, clock, holder=parts.worker,
                            lease_s=settings.inbox_lease_s, timeout=poll_timeout)
            poller.start()
            stack.push_async_callback(poller.stop)
        yield Running(app, dispatcher, poller, webhook, ops)


async def _reap(reaper: Reaper, clock: Clock) -> None:
    try:
        await reaper.reap(clock.now())
    except Exception:  # the leases run out on their own
        logger.warning("could not look for the leases of stopped processes", exc_info=True)


async def _reaping(reaper: Reaper, clock: Clock) -> None:
    """Every few seconds: an instance beside one that died takes its work over at once."""
    while True:
        await asyncio.sleep(REAP_EVERY_S)
        await _reap(reaper, clock)


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


YOUNG_COLLECTION_AFTER = 10_000  # objects made, less those freed, before a young collection


def settle_start_up() -> int:
    """Collects start-up's garbage, then moves every object alive to Python's permanent
    generation (`gc.freeze`): modules, the SQLAlchemy tables and compiled statements, the
    Application and its handlers live as long as the process, and without this each full
    collection walked all of them again. Returns how many objects were moved. Called once,
    when the bot has started; what is made afterwards is collected as before.

    Young collections come after 10,000 new objects instead of Python's 700: a batch of
    orders keeps thousands of objects alive until it commits, and each young collection
    walked them all again, for garbage reference counting mostly frees anyway. On the order
    pipeline (`bench/pipeline.py --orders 8000`) the collector's share of the process's CPU
    went from 5.3 % to 2.2 %, and `bench/cost.py --orders 1000` counted 1.7 % fewer
    instructions an order; peak memory moved by 1 MB."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, middle, old)
    return gc.get_freeze_count()


def stop_signal() -> asyncio.Event:
    """An event set on SIGINT or SIGTERM from now on. Taken before starting, so a signal that
    comes while the bot starts (handling a previous run's leftovers, say) still stops it cleanly
    once started, instead of killing it the default way."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def until_signalled(stop: asyncio.Event) -> None:
    """Returns once `stop` (from `stop_signal`) is set, at once if a signal came already (a
    clean stop follows: leases released, nothing left leased)."""
    await stop.wait()
    logger.info("stopping")
