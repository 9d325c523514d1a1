"""`GET /healthz` and `GET /metrics` (DESIGN.md §7): on the webhook server in webhook mode, on
a small server of their own (METRICS_LISTEN:METRICS_PORT) in polling mode.

The HTTP side (routes, the polling-mode server) is bot/ops_http.py: aiohttp loads only when
something is served over HTTP, not in plain polling mode.

`/healthz` is a load balancer's health check: 200 and a short JSON body when the database
answers and neither the queue's oldest due task nor the outbox's oldest due message has waited
past its limit (HEALTH_QUEUE_LAG_S, HEALTH_OUTBOX_LAG_S; the rule: domain.health); otherwise
503 with the reasons. `/metrics` is Prometheus' text format (bot/metrics.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from domain.health import HealthLimits, OpsReader, problems
from domain.inbound_limit import Verdict
from domain.ports import Clock

if TYPE_CHECKING:
    from telegram.error import TelegramError

logger = logging.getLogger(__name__)

HEALTH_TIMEOUT_S = 5.0  # a database slower than this to answer is as good as gone


class Counts(Protocol):
    """What the bot counts as things happen: bot/metrics.py's `Metrics` when something serves
    /metrics, else `Uncounted`."""

    def handled(self, kind: str, seconds: float) -> None: ...

    def refused(self, verdict: Verdict) -> None: ...

    def telegram_error(self, method: str, exc: TelegramError) -> None: ...

    def settled(self, seconds: float) -> None: ...

    async def scrape(self) -> bytes: ...


class Uncounted:
    """Polling with no METRICS_PORT: nothing serves /metrics, so nothing is counted, and
    prometheus_client (about 1 MB resident) is not loaded."""

    def handled(self, kind: str, seconds: float) -> None:
        pass

    def refused(self, verdict: Verdict) -> None:
        pass

    def telegram_error(self, method: str, exc: TelegramError) -> None:
        pass

    def settled(self, seconds: float) -> None:
        pass

    async def scrape(self) -> bytes:
        return b""


def counting(served: bool, reader: OpsReader, clock: Clock) -> Counts:
    """bot/metrics.py's `Metrics` when something serves /metrics, else `Uncounted`."""
    if not served:
        return Uncounted()
    from bot.metrics import Metrics

    return Metrics(reader, clock)


class Ops:
    """The health check and the metrics of one Application, and their HTTP routes."""

    def __init__(
        self, reader: OpsReader, clock: Clock, limits: HealthLimits, metrics: Counts
    ) -> None:
        self._reader, self._clock, self._limits = reader, clock, limits
        self.metrics = metrics

    async def health(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, what the body says)."""
        now = self._clock.now()
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                backlog = await self._reader.backlog(now)
        except Exception as exc:  # the reason is logged; the body stays short
            logger.warning("health: the database did not answer: %r", exc)
            return False, {"status": "unhealthy",
                           "problems": [f"database: did not answer ({type(exc).__name__})"]}
        found = problems(backlog, self._limits, now)
        body: dict[str, Any] = {
            "status": "unhealthy" if found else "ok",
            "queue_lag_s": round(backlog.queue_lag(now).total_seconds(), 1),
            "outbox_lag_s": round(backlog.outbox_lag(now).total_seconds(), 1),
        }
        if found:
            body["problems"] = found
        return not found, body
