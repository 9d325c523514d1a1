"""When a job looks next unless woken (bot/jobs.py): the due time it read, within its
fallback interval; a little later when what is due is held back."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs import JobLoop
from bot.wakeup import Signal
from tests.integration.builders import T0, FixedClock


async def _unused(name: str, exc: Exception) -> None:
    raise AssertionError(name)


async def _nothing() -> None:
    return None


def job(fallback_s: float = 5.0, held_s: float = 0.25) -> JobLoop:
    return JobLoop("outbox", _nothing, Signal(), FixedClock(T0), fallback_s=fallback_s,
                   held_s=held_s, on_error=_unused)


def test_with_nothing_due_the_job_looks_again_at_its_fallback_interval() -> None:
    assert job(fallback_s=5.0).wait_after(None) == 5.0


def test_work_due_later_is_looked_at_when_it_is_due() -> None:
    assert job(fallback_s=5.0).wait_after(T0 + timedelta(seconds=2)) == 2.0


def test_work_due_past_the_fallback_interval_waits_only_that_long() -> None:
    assert job(fallback_s=5.0).wait_after(T0 + timedelta(minutes=3)) == 5.0


def test_work_due_already_but_not_taken_is_held_back_and_looked_at_shortly() -> None:
    assert job(held_s=0.25).wait_after(T0) == 0.25
    assert job(held_s=0.0).wait_after(T0 - timedelta(seconds=1)) == 0.0
