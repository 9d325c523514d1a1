"""Exponential backoff with jitter; randomness is passed in to keep this pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 300.0
    jitter: float = 0.2  # +/- share of the delay

    def delay_s(self, attempts: int, sample: float) -> float:
        """Delay before the next try after `attempts` failures; `sample` is in [0, 1)."""
        raw = min(self.max_delay_s, self.base_delay_s * 2.0 ** max(attempts - 1, 0))
        return max(0.0, raw * (1 + self.jitter * (2 * sample - 1)))

    def next_attempt_at(self, attempts: int, now: datetime, sample: float) -> datetime | None:
        """When to try again after `attempts` failures, or None to give up."""
        if attempts >= self.max_attempts:
            return None
        return now + timedelta(seconds=self.delay_s(attempts, sample))
