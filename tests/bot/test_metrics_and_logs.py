"""The metrics' own rules (each Telegram error under its code, every retry counted, the inbound
limit's refusals, a database that does not answer) and the one-line log format."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import logs
from bot.metrics import Metrics
from domain.health import Backlog, WriterFigures
from domain.inbound_limit import Verdict
from tests.bot.test_ratelimit import QUICK, Telegram, call, limiter

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class Database:
    """Answers the ops reads with an empty backlog and one delivered order, or raises; its
    writer's turns are `writer` (None: PostgreSQL's, not counted)."""

    down = False
    writer_figures: WriterFigures | None = None

    def writer(self) -> WriterFigures | None:
        return self.writer_figures

    async def backlog(self, now: datetime) -> Backlog:
        if self.down:
            raise ConnectionError("database unavailable")
        return Backlog(0, 0, None, 0, 0, None, 0, None)

    async def orders_by_status(self) -> Mapping[str, int]:
        return {"DELIVERED": 1}


class Clock:
    def now(self) -> datetime:
        return NOW


async def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = (await metrics.scrape()).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_each_try_telegram_refuses_is_counted_under_its_method_and_code() -> None:
    metrics = Metrics(Database(), Clock())
    telegram = Telegram(NetworkError("Bad Gateway"), TimedOut(), RetryAfter(0))
    await call(limiter(QUICK, on_error=metrics.telegram_error), telegram)
    for refusal in (BadRequest("Message is not modified"), Forbidden("bot was blocked")):
        with pytest.raises(type(refusal)):
            await call(limiter(QUICK, on_error=metrics.telegram_error), Telegram(refusal),
                       endpoint="editMessageText")

    found = await samples(metrics)

    errors = {labels: value for (name, labels), value in found.items()
              if name == "foodbot_telegram_errors_total"}
    assert errors == {(("code", "network"), ("method", "sendMessage")): 1,
                      (("code", "timeout"), ("method", "sendMessage")): 1,
                      (("code", "429"), ("method", "sendMessage")): 1,
                      (("code", "400"), ("method", "editMessageText")): 1,
                      (("code", "403"), ("method", "editMessageText")): 1}


async def test_refused_updates_are_counted_and_users_once_a_window() -> None:
    metrics = Metrics(Database(), Clock())
    for verdict in (Verdict.SLOW_DOWN, Verdict.DROP, Verdict.DROP):
        metrics.refused(verdict)

    found = await samples(metrics)

    assert found[("foodbot_inbound_turned_away_total", ())] == 3
    assert found[("foodbot_inbound_users_limited_total", ())] == 1


async def test_a_database_that_does_not_answer_shows_as_down_and_the_counters_stay() -> None:
    database = Database()
    metrics = Metrics(database, Clock())
    metrics.handled("message", 0.02)
    up = await samples(metrics)
    database.down = True

    down = await samples(metrics)

    assert (up[("foodbot_database_up", ())], down[("foodbot_database_up", ())]) == (1, 0)
    assert up[("foodbot_orders", (("status", "DELIVERED"),))] == 1
    assert ("foodbot_orders", (("status", "DELIVERED"),)) not in down
    assert down[("foodbot_updates_handled_total", (("kind", "message"),))] == 1


async def test_the_sqlite_writers_turns_are_shown_even_when_the_database_does_not_answer(
) -> None:
    database = Database()
    metrics = Metrics(database, Clock())
    assert not any(name.startswith("foodbot_sqlite") for name, _ in await samples(metrics))

    database.writer_figures = WriterFigures(turns=40, waits=12, held_s=7.5, waited_s=3.25)
    database.down = True
    found = await samples(metrics)

    assert {name: value for (name, _), value in found.items()
            if name.startswith("foodbot_sqlite")} == {
        "foodbot_sqlite_write_turns_total": 40, "foodbot_sqlite_write_waits_total": 12,
        "foodbot_sqlite_write_held_seconds_total": 7.5,
        "foodbot_sqlite_write_waited_seconds_total": 3.25}


def test_two_applications_count_apart() -> None:
    first, second = Metrics(Database(), Clock()), Metrics(Database(), Clock())
    first.handled("message", 0.01)
    handled = "foodbot_updates_handled_total"
    assert first.registry.get_sample_value(handled, {"kind": "message"}) == 1
    assert second.registry.get_sample_value(handled, {"kind": "message"}) is None


def record(message: str, *, failed: bool = False) -> logging.LogRecord:
    """A record as `logger.error` (or, `failed`, `logger.exception`) in a handler makes it."""
    try:
        raise ValueError("no such dish")
    except ValueError:
        return logging.getLogger("bot.handlers.cart").makeRecord(
            "bot.handlers.cart", logging.ERROR, __file__, 1, message, (),
            sys.exc_info() if failed else None)


def test_a_record_in_an_updates_handling_is_one_line_ending_with_its_update() -> None:
    formatter = logs.OneLineFormatter()
    with logs.handling(logs.UpdateContext(42, 1001, 1001, "callback_query")):
        line = formatter.format(record("cart failed\nsecond line", failed=True))

    assert "\n" not in line
    assert "cart failed | second line update_id=42 user_id=1001 chat_id=1001 " \
        "kind=callback_query | Traceback (most recent call last):" in line
    assert line.endswith("ValueError: no such dish")


def test_a_record_outside_any_update_carries_nothing_extra() -> None:
    line = logs.OneLineFormatter().format(record("outbox tick"))
    assert line.endswith("ERROR bot.handlers.cart: outbox tick")


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_a_skipped_job_tick_is_a_debug_line_not_a_warning(level: str) -> None:
    """APScheduler warns each time a job's tick finds the last still running; the queue and
    outbox jobs run one at a time on purpose, so that is shown only at DEBUG, as DEBUG."""
    skipped = ('Execution of job "outbox (trigger: interval[0:00:00.500000], next run at: '
               '2026-11-29 16:32:53 UTC)" skipped: maximum number of running instances '
               'reached (1)')
    scheduler = logging.getLogger("apscheduler.scheduler")
    root = logging.getLogger()
    seen: list[logging.LogRecord] = []
    collect = logging.Handler()
    collect.emit = seen.append  # type: ignore[method-assign]
    was = root.level
    scheduler.addHandler(collect)
    scheduler.addFilter(filter_ := logs.OverrunTicks())
    root.setLevel(level)
    try:
        scheduler.warning(skipped)
        scheduler.warning("Run time of job was missed by 0:00:02")
    finally:
        root.setLevel(was)
        scheduler.removeFilter(filter_)
        scheduler.removeHandler(collect)

    shown = [(r.levelname, r.getMessage()[:16]) for r in seen]
    tick = [("DEBUG", "Execution of job")] if level == "DEBUG" else []
    assert shown == [*tick, ("WARNING", "Run time of job ")]
