"""Prometheus metrics of one Application (DESIGN.md §7), in a registry of its own.

In-process counters and a histogram, counted where things happen: updates handled and how
long their handlers took (bot/inbox.py), updates and users the inbound limit turned away
(bot/inbound.py), Bot API calls Telegram answered with an error (bot/ratelimit.py: every call
the bot makes passes it, the outbox sender's included). Gauges of what waits in the database
(the queue, the outbox, the inbox, orders by status) are read at scrape time: `scrape()`
reads them (domain.health.OpsReader, indexed queries) and renders everything, with this
process's turns at a SQLite file's one writer (storage/write_lock.py), counted there.

A registry per Application, not prometheus_client's global one: tests and the demo run several
Applications in one process, and each must count only its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from domain.health import Backlog, OpsReader, WriterFigures
from domain.inbound_limit import Verdict
from domain.orders import OrderStatus
from domain.ports import Clock

logger = logging.getLogger(__name__)

HANDLER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def error_code(exc: TelegramError) -> str:
    """The label of a Bot API error: its HTTP code where PTB keeps it apart, else `timeout`
    or `network` (a 5xx or a lost connection, which PTB does not tell apart)."""
    for kind, code in ((RetryAfter, "429"), (BadRequest, "400"), (Forbidden, "403"),
                       (InvalidToken, "401"), (Conflict, "409"), (TimedOut, "timeout"),
                       (NetworkError, "network")):
        if isinstance(exc, kind):
            return code
    return "other"


@dataclass
class DatabaseReading:
    """The database's figures as the last scrape read them; `backlog` None when it failed."""

    backlog: Backlog | None = None
    orders: Mapping[str, int] | None = None
    now: datetime | None = None  # when it was read: the ages are counted to it
    writer: WriterFigures | None = None  # SQLite only


class DatabaseGauges:
    """A collector of the figures read from the database for this scrape."""

    def __init__(self) -> None:
        self.reading = DatabaseReading()

    def describe(self) -> list[Metric]:
        return []  # no names to reserve: collect() is only called at scrape time

    def collect(self) -> Iterable[Metric]:
        backlog, orders = self.reading.backlog, self.reading.orders
        yield GaugeMetricFamily("foodbot_database_up", "1 when the database answered this "
                                "scrape's queries, else 0", value=float(backlog is not None))
        if backlog is not None and self.reading.now is not None:
            now = self.reading.now
            queue_lag, outbox_lag, inbox_lag = (lag.total_seconds() for lag in (
                backlog.queue_lag(now), backlog.outbox_lag(now), backlog.inbox_lag(now)))
            for name, text, value in (
                ("queue_depth", "Tasks pending in the durable queue", backlog.queue_depth),
                ("queue_due", "Pending tasks due now", backlog.queue_due),
                ("queue_oldest_due_age_seconds", "How long the oldest due task has waited",
                 queue_lag),
                ("queue_dead_letters", "Tasks the queue gave up on", backlog.dead_letters),
                ("outbox_backlog", "Messages neither sent nor given up",
                 backlog.outbox_backlog),
                ("outbox_lag_seconds", "How long the oldest due message has waited",
                 outbox_lag),
                ("inbox_backlog", "Updates stored, not yet handled", backlog.inbox_backlog),
                ("inbox_oldest_age_seconds", "How long the oldest unhandled update has "
                 "been stored", inbox_lag),
            ):
                yield GaugeMetricFamily(f"foodbot_{name}", text, value=float(value))
        if orders is not None:
            family = GaugeMetricFamily("foodbot_orders", "Orders by status", labels=["status"])
            for status in OrderStatus:
                family.add_metric([status.value], float(orders.get(status.value, 0)))
            yield family
        writer = self.reading.writer
        if writer is not None:
            for name, text, value in (
                ("sqlite_write_turns", "Turns at the SQLite file's one writer", writer.turns),
                ("sqlite_write_waits", "Writers that found the writer busy and waited",
                 writer.waits),
                ("sqlite_write_held_seconds", "Seconds a writer held the SQLite file; near "
                 "one a second, the writer is what limits this process", writer.held_s),
                ("sqlite_write_waited_seconds", "Seconds writers waited for their turn, "
                 "summed", writer.waited_s),
            ):
                yield CounterMetricFamily(f"foodbot_{name}", text, value=float(value))


class Metrics:
    """The instruments the bot counts with, and the scrape."""

    def __init__(self, reader: OpsReader, clock: Clock) -> None:
        self._reader, self._clock = reader, clock
        self.registry = CollectorRegistry()
        registry = self.registry
        self.updates_handled = Counter(
            "foodbot_updates_handled", "Updates handled from the inbox, by kind",
            ["kind"], registry=registry)
        self.handler_seconds = Histogram(
            "foodbot_handler_seconds", "Time from claiming an update to its handlers' end",
            ["kind"], buckets=HANDLER_BUCKETS, registry=registry)
        self.inbound_turned_away = Counter(
            "foodbot_inbound_turned_away", "Updates dropped by the per-user inbound limit",
            registry=registry)
        self.inbound_users_limited = Counter(
            "foodbot_inbound_users_limited",
            "Times a user went over the per-user inbound limit (told to slow down)",
            registry=registry)
        self.telegram_errors = Counter(
            "foodbot_telegram_errors", "Bot API calls Telegram answered with an error, by "
            "method and code (429, 400, 403, 401, 409, timeout, network)",
            ["method", "code"], registry=registry)
        self.outbox_settle_seconds = Histogram(
            "foodbot_outbox_settle_seconds", "Time from Telegram taking an outbox message to "
            "the database recording it sent: a crash in between sends it again",
            buckets=HANDLER_BUCKETS, registry=registry)
        self._database = DatabaseGauges()
        registry.register(self._database)

    def handled(self, kind: str, seconds: float) -> None:
        self.updates_handled.labels(kind=kind).inc()
        self.handler_seconds.labels(kind=kind).observe(seconds)

    def refused(self, verdict: Verdict) -> None:
        """An update the inbound limit turned away; the first of a user's window tells them."""
        self.inbound_turned_away.inc()
        if verdict is Verdict.SLOW_DOWN:
            self.inbound_users_limited.inc()

    def telegram_error(self, method: str, exc: TelegramError) -> None:
        self.telegram_errors.labels(method=method, code=error_code(exc)).inc()

    def settled(self, seconds: float) -> None:
        """An outbox message recorded sent, `seconds` after Telegram took it."""
        self.outbox_settle_seconds.observe(seconds)

    async def scrape(self) -> bytes:
        """Reads the database's figures, then renders every metric in Prometheus' text
        format. A database that does not answer shows as foodbot_database_up 0."""
        now = self._clock.now()
        reading = DatabaseReading(writer=self._reader.writer())
        try:
            backlog = await self._reader.backlog(now)
            reading = DatabaseReading(backlog, await self._reader.orders_by_status(), now,
                                      reading.writer)
        except Exception as exc:
            logger.warning("metrics: the database did not answer: %r", exc)
        self._database.reading = reading
        return generate_latest(self.registry)
