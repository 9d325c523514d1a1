"""The composition root: settings -> storage -> services -> a running Application.

With `bot/__main__.py` (the CLI on top of it), the only module that imports both
`bot` and `storage` (STYLE.md "Wire once").
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot

from bot.app import build_app
from bot.clock import RandomTokens, SystemClock
from bot.context import AdminServices, AppType, Services
from bot.holders import Reaper, worker_id
from bot.inbound import inbound_gate
from bot.languages import ChatLanguages
from bot.ops import Counts, Ops, counting
from bot.runner import InboxParts, Running, serving, settle_start_up, stop_signal, until_signalled
from bot.settings import ConfigError, Settings
from bot.wakeup import Wakeup
from domain.catalogue import CatalogueCache
from domain.health import HealthLimits
from domain.messages import Kind
from domain.people import PersonalData
from domain.pipeline.actions import Presses
from domain.pipeline.model import PipelineConfig
from domain.pipeline.ports import PipelineActions
from domain.pipeline.worker import PipelineWorker
from domain.ports import Clock
from domain.retention import Retention
from domain.retry import RetryPolicy
from domain.services.admin.catalogue import CatalogueAdmin
from domain.services.admin.options import OptionAdmin
from domain.services.admin.orders import OrderAdmin
from domain.services.admin.partners import PartnerAdmin
from domain.services.admin.promos import PromoAdmin
from domain.services.admin.refunds import RefundAdmin
from domain.services.admin.stats import StatsAdmin
from domain.services.admin.stock import StockAdmin
from domain.services.checkout import CheckoutService
from domain.services.customers import CustomerService
from domain.services.error_alerts import ErrorAlerts
from domain.services.lines import LineService
from domain.services.orders import CustomerOrders
from domain.services.partners import PartnerService
from domain.services.payments import PaymentService
from domain.services.rider_maps import RiderMaps
from domain.services.scheduling import Scheduling
from domain.services.shopping import ShoppingService
from storage.admin_repositories import admin_uow_factory
from storage.catalogue import Announce, CachedCatalogue
from storage.db import make_engine, make_sessionmaker, sqlite_file
from storage.inbox import SqlInbox, SqlLeases
from storage.languages import SqlLanguages
from storage.ops import SqlOpsReader
from storage.people import SqlPersonalData
from storage.pipeline.outbox import Pacing, SqlMessageOutbox
from storage.pipeline.store import SqlPipelineStore
from storage.reaping import SqlLeaseHolders
from storage.retention import SqlRetention
from storage.revision import is_at_head
from storage.seed import seed
from storage.sent_journal import SentJournal, folder_for
from storage.shared import LocalFeed, SharedState, announcer, shared_state
from storage.uow import uow_factory

logger = logging.getLogger(__name__)


def queue_worker(
    settings: Settings, store: SqlPipelineStore, clock: Clock, retry: RetryPolicy
) -> PipelineWorker:
    config = PipelineConfig(
        offer_timeout_s=settings.offer_timeout_s, admin_ids=settings.admin_ids,
        no_partner_alert_after_s=settings.no_partner_alert_after_s,
        batch_size=settings.queue_batch_size, lease_s=settings.queue_lease_s)
    return PipelineWorker(store, clock, retry, config, worker_id())


def retry_policy(settings: Settings) -> RetryPolicy:
    """Backoff with jitter for the queue's tasks and the outbox's messages alike."""
    return RetryPolicy(settings.task_max_attempts, settings.retry_base_delay_s,
                       settings.retry_max_delay_s)


def message_outbox(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> SqlMessageOutbox:
    pacing = Pacing(
        per_chat_per_s=settings.rate_limit_per_chat_per_s,
        global_per_s=settings.rate_limit_global_per_s,
        lease_s=settings.queue_lease_s,
        unpaced_kinds=frozenset({Kind.ORDER_STATUS}),  # edits the tracking message
        paid_per_s=settings.paid_per_s,  # new messages as paid broadcasts: their own budget
    )
    name, journals = worker_id(), sent_journals(settings)
    journal = SentJournal(journals, name) if journals is not None else None
    return SqlMessageOutbox(sessions, name, pacing, journal)


def sent_journals(settings: Settings) -> Path | None:
    """Where the outbox's senders write down Telegram's answers (SQLite files only)."""
    database = sqlite_file(settings.database_url)
    return folder_for(database) if database is not None else None


def admin_console(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings,
    pipeline: PipelineActions, announce: Announce | None = None, wakes: Wakeup | None = None,
) -> AdminServices:
    """The admin console's services, one per area, on one admin unit-of-work factory."""
    currency = settings.currency
    uows = admin_uow_factory(sessions, announce, wakes)
    return AdminServices(
        catalogue=CatalogueAdmin(uows, clock, currency, settings.time_zone),
        partners=PartnerAdmin(uows, clock, RandomTokens()),
        orders=OrderAdmin(uows, clock, pipeline),
        stats=StatsAdmin(uows, clock),
        promos=PromoAdmin(uows, clock, currency),
        refunds=RefundAdmin(uows, clock),
        stock=StockAdmin(uows, clock),
        options=OptionAdmin(uows, clock, currency),
    )


def operations(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> Ops:
    """/healthz and /metrics, on this Application's own registry; counted only when something
    serves them (a webhook, or METRICS_PORT): plain polling loads no prometheus_client."""
    reader = SqlOpsReader(sessions)
    limits = HealthLimits(queue_lag=timedelta(seconds=settings.health_queue_lag_s),
                          outbox_lag=timedelta(seconds=settings.health_outbox_lag_s))
    served = bool(settings.webhook_url or settings.metrics_port)
    return Ops(reader, clock, limits, counting(served, reader, clock))


def build_services(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock | None = None,
    shared: SharedState | None = None, wakeup: Wakeup | None = None,
) -> Services:
    """The services the handlers and jobs call, on the given database sessions; `shared` is
    the catalogue cache with its invalidation and the shared limit (in process when None);
    every commit that writes tasks or outbox rows wakes the jobs through `wakeup`."""
    shared = shared or SharedState(LocalFeed(CatalogueCache(settings.catalogue_cache_ttl_s)),
                                   None)
    announce, wakeup = shared.feed.announce, wakeup or Wakeup()
    uows, clock, currency = uow_factory(sessions, announce, wakeup), clock or SystemClock(), \
        settings.currency
    store = SqlPipelineStore(sessions, wakeup, announce)
    pipeline = Presses(store, clock, admins=frozenset(settings.admin_ids))
    retry = retry_policy(settings)
    checkout = CheckoutService(uows, clock, currency, RandomTokens(), timer=time.monotonic)
    return Services(
        settings=settings,
        customers=CustomerService(uows),
        shopping=ShoppingService(uows, currency, CachedCatalogue(sessions, shared.cache),
                                 clock=clock),
        checkout=checkout,
        scheduling=Scheduling(uows, clock, checkout.summaries),
        rider_maps=RiderMaps(uows, clock),
        lines=LineService(uows, clock),
        languages=ChatLanguages(SqlLanguages(sessions), settings.default_language),
        payments=PaymentService(uows, clock, checkout.summaries, settings.tips,
                                settings.admin_ids),
        orders=CustomerOrders(uows, clock, currency, pipeline),
        partners=PartnerService(uows, clock, settings.admin_ids,
                                admin_uow_factory(sessions, announce, wakeup)),
        clock=clock,
        retry=retry,
        pipeline=pipeline,
        worker=queue_worker(settings, store, clock, retry),
        outbox=message_outbox(settings, sessions),
        admin=admin_console(sessions, clock, settings, pipeline, announce, wakeup),
        error_alerts=ErrorAlerts(uows, clock, settings.admin_ids, settings.error_alert_window),
        ops=operations(settings, sessions, clock),
        retention=Retention(SqlRetention(sessions), clock, settings.retention),
        people=PersonalData(SqlPersonalData(sessions), clock),
        outbound=shared.outbound,
        wakeup=wakeup,
    )


async def migrate_database(settings: Settings) -> None:
    """Upgrades the schema to the newest revision; safe to repeat. Alembic loads here only:
    a running bot checks the revision without it (storage/revision.py)."""
    from storage.migrate import upgrade_to_head

    await upgrade_to_head(settings.database_url)


async def seed_database(settings: Settings) -> str:
    """Migrates, then adds the sample restaurants and menus that are missing."""
    await migrate_database(settings)
    engine = make_engine(settings.database_url)
    try:
        async with announcer(settings.redis_url, settings.redis_prefix) as feed:
            uows = uow_factory(make_sessionmaker(engine), feed.announce if feed else None)
            report = await seed(uows, settings.currency, time_zone=settings.time_zone)
    finally:
        await engine.dispose()
    return str(report)


async def set_prep_minutes(settings: Settings, restaurant: str, minutes: int) -> None:
    """Changes how long a restaurant cooks (the demo's kitchen is instant)."""
    engine = make_engine(settings.database_url)
    try:
        async with announcer(settings.redis_url, settings.redis_prefix) as feed, \
                uow_factory(make_sessionmaker(engine), feed.announce if feed else None)() as uow:
            found = await uow.restaurants.get_by_name(restaurant)
            if found is None:
                raise LookupError(restaurant)
            await uow.restaurants.save(replace(found, prep_minutes=minutes))
            await uow.commit()
    finally:
        await engine.dispose()


def engine_for(settings: Settings) -> AsyncEngine:
    """The running bot's engine: DATABASE_URL, with DATABASE_POOL_SIZE on PostgreSQL."""
    return make_engine(settings.database_url, pool_size=settings.database_pool_size)


async def require_migrated(settings: Settings) -> None:
    if not await is_at_head(settings.database_url):
        raise ConfigError(f"database {settings.database_shown} is not migrated: "
                          "run `foodbot migrate`")


def inbox_parts(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, bot: Bot, metrics: Counts,
    shared: SharedState | None = None, wakeup: Wakeup | None = None,
) -> InboxParts:
    """The inbox's storage side, one name for this instance in all its leases, and the
    per-user inbound limit that drops a flood before it is stored (answering through `bot`;
    counted with the other instances through `shared`'s limit, with REDIS_URL)."""
    limit = shared.limit if shared is not None else None
    return InboxParts(
        SqlInbox(sessions), SqlLeases(sessions), worker_id(),
        reaper=Reaper(SqlLeaseHolders(sessions, sent_journals(settings)), wakeup),
        admit=inbound_gate(settings, bot, on_refused=metrics.refused, shared=limit).admit,
    )


@asynccontextmanager
async def running(
    settings: Settings, clock: Clock | None = None, wakeup: Wakeup | None = None
) -> AsyncIterator[Running]:
    """Runs the bot in this event loop until the block ends: long polling, or a webhook
    server when WEBHOOK_URL is set; every update through the inbox. `wakeup` (tests): what
    this process's commits wake."""
    await require_migrated(settings)
    engine = engine_for(settings)
    sessions = make_sessionmaker(engine)
    try:
        async with shared_state(settings.redis_url, settings.redis_prefix,
                                cache_ttl_s=settings.catalogue_cache_ttl_s,
                                inbound_per_minute=settings.inbound_limit_per_user_per_min,
                                outbound_per_s=settings.rate_limit_global_per_s) as shared:
            services = build_services(settings, sessions, clock, shared, wakeup)
            app = build_app(services)
            parts = inbox_parts(sessions, settings, app.bot, services.ops.metrics, shared,
                                services.wakeup)
            try:
                async with serving(app, parts) as live:
                    yield live
            finally:
                services.outbox.close()
    finally:
        await engine.dispose()


@asynccontextmanager
async def polling(
    settings: Settings, clock: Clock | None = None, wakeup: Wakeup | None = None
) -> AsyncIterator[AppType]:
    """`running`, yielding the Application: used by `foodbot demo` and the end-to-end tests
    against the local Bot API server."""
    async with running(settings, clock, wakeup) as live:
        yield live.app


async def serve(settings: Settings) -> None:
    """`foodbot run`: the bot until SIGINT or SIGTERM (also one that came while it started)."""
    stop = stop_signal()
    async with running(settings):
        logger.info("started; %d objects of start-up kept out of garbage collection",
                    settle_start_up())
        await until_signalled(stop)
