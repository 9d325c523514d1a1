"""Operations: GET /healthz and GET /metrics scraped over HTTP from the running bot, in polling
mode (a port of their own) and webhook mode (the webhook server); and log lines that name the
update they belong to."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot import logs
from bot.settings import ConfigError, Settings
from bot.wiring import polling, seed_database
from domain.messages import Notification, PartnerApproved
from domain.orders import OrderStatus
from sandbox import BotApiServer, SandboxUser
from storage.rows import OutboxRow
from tests.e2e.conftest import CUSTOMER, Still, e2e_settings
from tests.e2e.inbox_kit import WAIT, inbox_rows
from tests.e2e.journey import Uows, advance, place_directly, say
from tests.integration.conftest import PG_ENV, PostgresServer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ops_settings(server: BotApiServer, folder: Path, **overrides: object) -> Settings:
    """Polling, with /healthz and /metrics on a free loopback port; the queue and the sender
    work once at start and then not for a minute, so what a test sets up stays put."""
    return e2e_settings(server, folder, metrics_listen="127.0.0.1", metrics_port=free_port(),
                        queue_interval_s=60, outbox_interval_s=60, **overrides)


def url(settings: Settings, path: str) -> str:
    port = settings.webhook_port if settings.webhook_url else settings.metrics_port
    return f"http://127.0.0.1:{port}{path}"


async def scrape(settings: Settings) -> Samples:
    async with httpx.AsyncClient() as client:
        response = await client.get(url(settings, "/metrics"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


async def scrape_until(settings: Settings, done: Callable[[Samples], bool]) -> Samples:
    """Scrapes until `done` holds (a handler's metrics are counted as it ends), or fails."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        samples = await scrape(settings)
        if done(samples):
            return samples
        assert asyncio.get_running_loop().time() < deadline, samples
        await asyncio.sleep(0.05)  # a poll, bounded by the deadline above


async def health(settings: Settings) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient() as client:
        response = await client.get(url(settings, "/healthz"))
    return response.status_code, response.json()


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@dataclass
class Shifted:
    """The bot's clock, which a test can move ahead."""

    by: timedelta = field(default=timedelta(0))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.by


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return ops_settings(server, tmp_path)


async def test_metrics_count_updates_by_kind_a_429_by_code_and_orders_by_status(
    server: BotApiServer, settings: Settings, uows: Uows, customer: SandboxUser,
    customer_2: SandboxUser,
) -> None:
    await seed_database(settings)
    async with polling(settings, wakeup=Still(settings)):
        before = await scrape(settings)
        await say(customer, "/help", "/restaurants")
        await say(customer, "/restaurants", "Restaurants")
        await customer.press("Dominos")
        server.fail_next("sendMessage", code=429, retry_after=1, chat_id=customer_2.id)
        await say(customer_2, "/help", "/restaurants")  # after Telegram's one second
        placed = [await place_directly(uows, CUSTOMER) for _ in range(3)]
        await advance(uows, placed[0].id, OrderStatus.CANCELLED)

        after = await scrape_until(settings, lambda s: value(
            s, "foodbot_updates_handled_total", kind="callback_query") >= 1)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("foodbot_updates_handled_total", kind="message") == 3
    assert grew("foodbot_updates_handled_total", kind="callback_query") == 1
    assert grew("foodbot_handler_seconds_count", kind="message") == 3
    assert grew("foodbot_telegram_errors_total", method="sendMessage", code="429") == 1
    assert value(after, "foodbot_orders", status="CREATED") == 2
    assert value(after, "foodbot_orders", status="CANCELLED") == 1
    assert value(after, "foodbot_orders", status="DELIVERED") == 0
    assert value(after, "foodbot_database_up") == 1
    assert value(after, "foodbot_inbound_turned_away_total") == 0
    # the bot's own writes on its SQLite file (updates stored and done, replies recorded)
    assert grew("foodbot_sqlite_write_turns_total") >= 4
    assert grew("foodbot_sqlite_write_held_seconds_total") > 0


async def test_metrics_time_each_sent_notification_from_telegram_taking_it_to_its_record(
    server: BotApiServer, tmp_path: Path, uows: Uows, customer: SandboxUser,
    customer_2: SandboxUser,
) -> None:
    settings = e2e_settings(server, tmp_path, metrics_listen="127.0.0.1",
                            metrics_port=free_port(), outbox_interval_s=0.2)
    await seed_database(settings)
    async with polling(settings):
        await say(customer, "/help", "/restaurants")  # Telegram: a bot writes to its users
        await say(customer_2, "/help", "/restaurants")
        async with uows() as uow:  # three notifications for the outbox to send
            for chat in (customer.id, customer_2.id, customer.id):
                await uow.outbox.add(Notification(chat, PartnerApproved("Ravi")),
                                     datetime.now(UTC))
            await uow.commit()
        await customer_2.wait_for_text("Ravi", timeout=WAIT)
        samples = await scrape_until(settings, lambda s: value(
            s, "foodbot_outbox_settle_seconds_count") >= 3)
    async with uows() as uow:
        sent = await uow.session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_not(None)))
    assert sent == 3
    assert value(samples, "foodbot_outbox_settle_seconds_count") == 3
    assert value(samples, "foodbot_outbox_settle_seconds_bucket", le="+Inf") == 3


async def test_metrics_count_the_updates_and_the_users_the_inbound_limit_turned_away(
    server: BotApiServer, tmp_path: Path, customer: SandboxUser,
) -> None:
    settings = ops_settings(server, tmp_path, inbound_limit_per_user_per_min=2)
    await seed_database(settings)
    async with polling(settings, wakeup=Still(settings)):
        for _ in range(5):
            await customer.send("/help")
        samples = await scrape_until(settings, lambda s: value(
            s, "foodbot_inbound_turned_away_total") >= 3 and value(
            s, "foodbot_updates_handled_total", kind="message") >= 2)

    assert value(samples, "foodbot_inbound_turned_away_total") == 3
    assert value(samples, "foodbot_inbound_users_limited_total") == 1  # told once
    assert value(samples, "foodbot_updates_handled_total", kind="message") == 2


async def test_health_is_ok_then_503_naming_the_outbox_once_its_oldest_message_lags(
    server: BotApiServer, tmp_path: Path, customer: SandboxUser,
) -> None:
    settings = ops_settings(server, tmp_path, health_outbox_lag_s=60)
    clock = Shifted()
    await seed_database(settings)
    async with polling(settings, clock, Still(settings)):
        await say(customer, "/partner", "")  # the admins are told through the outbox ...
        samples = await scrape_until(settings, lambda s: value(s, "foodbot_outbox_backlog") > 0)
        assert value(samples, "foodbot_outbox_lag_seconds") < 60
        status, body = await health(settings)
        assert (status, body["status"]) == (200, "ok")

        clock.by = timedelta(minutes=10)  # ... and the sender has not worked for ten minutes
        status, body = await health(settings)
        lag = value(await scrape(settings), "foodbot_outbox_lag_seconds")

    assert status == 503
    assert body["status"] == "unhealthy"
    assert [line.split(":")[0] for line in body["problems"]] == ["outbox"]
    assert "over the limit of 60 s" in body["problems"][0]
    assert 600 <= lag < 700


@pytest.mark.postgres
async def test_health_is_503_and_metrics_say_database_down_when_the_database_is_gone(
    server: BotApiServer, tmp_path: Path, customer: SandboxUser,
) -> None:
    database = os.environ.get(PG_ENV)
    if not database:
        pytest.skip(f"{PG_ENV} not set")
    databases = PostgresServer(database)
    try:
        settings = ops_settings(server, tmp_path).model_copy(
            update={"database_url": databases.create_database()})
        await seed_database(settings)
        async with polling(settings, wakeup=Still(settings)):
            await say(customer, "/help", "/restaurants")
            assert (await health(settings))[0] == 200
            await asyncio.to_thread(databases.drop_all)  # WITH (FORCE): connections cut

            status, body = await health(settings)
            samples = await scrape(settings)
    finally:
        databases.drop_all()

    assert (status, body["status"]) == (503, "unhealthy")
    assert body["problems"][0].startswith("database: did not answer")
    assert value(samples, "foodbot_database_up") == 0
    assert value(samples, "foodbot_updates_handled_total", kind="message") == 1


async def test_the_webhook_server_serves_health_and_metrics_beside_the_webhook(
    server: BotApiServer, tmp_path: Path, customer: SandboxUser,
) -> None:
    port = free_port()
    settings = e2e_settings(server, tmp_path, webhook_url=f"http://127.0.0.1:{port}/telegram",
                            webhook_listen="127.0.0.1", webhook_port=port)
    await seed_database(settings)
    async with polling(settings, wakeup=Still(settings)):
        await say(customer, "/help", "/restaurants")
        samples = await scrape_until(settings, lambda s: value(
            s, "foodbot_updates_handled_total", kind="message") == 1)
        status, body = await health(settings)
    assert (status, body["status"]) == (200, "ok")
    assert value(samples, "foodbot_database_up") == 1


async def test_a_metrics_port_in_use_stops_the_start_with_one_clear_line(
    settings: Settings,
) -> None:
    await seed_database(settings)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", settings.metrics_port))
        taken.listen()
        with pytest.raises(ConfigError) as refused:
            async with polling(settings, wakeup=Still(settings)):
                pass
    assert str(refused.value).startswith(
        f"METRICS_LISTEN/METRICS_PORT: cannot listen on 127.0.0.1:{settings.metrics_port} (")


class Lines(logging.Handler):
    """Keeps each record as the bot's log handler formats it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.addFilter(logs.UpdateContextFilter())
        self.setFormatter(logs.OneLineFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    handler, root = Lines(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_handlers_log_line_names_the_update_and_the_user(
    settings: Settings, customer: SandboxUser, log_lines: Lines,
) -> None:
    await seed_database(settings)
    async with polling(settings, wakeup=Still(settings)):
        await say(customer, "/allorders", "")  # an admin's command: refused, and logged
        [(update_id, _, _)] = await inbox_rows(settings)

    refused = [line for line in log_lines.lines if "refused admin command" in line]
    assert len(refused) == 1
    assert refused[0].endswith(f"update_id={update_id} user_id={CUSTOMER} chat_id={CUSTOMER} "
                               "kind=message")
    [started] = [line for line in log_lines.lines if "health and metrics on" in line]
    assert "update_id=" not in started  # logged at start-up, outside any update

