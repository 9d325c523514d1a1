"""The health rule: due work that waits past its limit makes the instance unhealthy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.health import Backlog, HealthLimits, problems

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LIMITS = HealthLimits(queue_lag=timedelta(seconds=120), outbox_lag=timedelta(seconds=60))


def backlog(*, queue_due_since: float | None = None,
            outbox_due_since: float | None = None) -> Backlog:
    """A backlog whose oldest due task / message became due that many seconds before NOW."""
    def ago(seconds: float | None) -> datetime | None:
        return None if seconds is None else NOW - timedelta(seconds=seconds)

    return Backlog(queue_depth=5, queue_due=1, queue_oldest_due=ago(queue_due_since),
                   dead_letters=0, outbox_backlog=3, outbox_oldest_due=ago(outbox_due_since),
                   inbox_backlog=0, inbox_oldest=None)


def test_nothing_due_is_healthy() -> None:
    assert problems(backlog(), LIMITS, NOW) == []


def test_due_work_within_its_limits_is_healthy() -> None:
    assert problems(backlog(queue_due_since=120, outbox_due_since=60), LIMITS, NOW) == []


def test_a_queue_task_waiting_past_its_limit_is_named_with_how_long() -> None:
    assert problems(backlog(queue_due_since=121), LIMITS, NOW) == [
        "queue: the oldest due task has waited 121 s, over the limit of 120 s"]


def test_an_outbox_lagging_past_its_limit_is_named_beside_the_queue() -> None:
    found = problems(backlog(queue_due_since=500, outbox_due_since=90), LIMITS, NOW)
    assert found == ["queue: the oldest due task has waited 500 s, over the limit of 120 s",
                     "outbox: the oldest due message has waited 90 s, over the limit of 60 s"]


def test_work_due_in_the_future_has_no_lag() -> None:
    early = backlog(queue_due_since=-30, outbox_due_since=-30)
    assert early.queue_lag(NOW) == early.outbox_lag(NOW) == timedelta(0)
