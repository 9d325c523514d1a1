"""The order queue's worker and the outbox sender (DESIGN.md §4), each run by one loop.

A job runs when this process commits work for it (bot/wakeup.py: a placed order's task, a
status message, the worker's own follow-ups), at the next due time it read from the database
(a retry's backoff, a task's `run_at`, a lease that runs out), and at the latest after its
fallback interval (QUEUE_INTERVAL_S, OUTBOX_INTERVAL_S), which finds what other instances
wrote. One loop per job: never two runs of one job at once, and the wake-ups that come
during a run make one more run after it. Runs start at most every `MIN_GAP_S`, so a stream
of commits under load is worked in batches.

While messages are due but held back (per-chat pacing, replies first), the sender looks
again every `HELD_BACK_S`; when the overall budget of the last second is spent, when a batch
of it has room again (`MessageOutbox.next_due`). A run that claimed a whole batch
(`MessageOutbox.batch_size`: only with a budget above it, as with PAID_BROADCAST) looks again
at once: more may be waiting, and a quarter second between batches of 100 would cap the
sender at 400 a second. The queue's worker, whose due tasks are all it may claim, looks again
at once.

Both only drive ports built at the composition root; every bit of state is in the database,
so any number of instances can run them side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.context import AppType, Services
from bot.handlers.errors import alert_admins, failure_of, scrub, secrets_of
from bot.rider_map import move_maps
from bot.sender import send_due
from bot.wakeup import Signal
from domain.ports import Clock
from domain.retention import EVERY

logger = logging.getLogger(__name__)

MIN_GAP_S = 0.05  # between the starts of two runs of one job
HELD_BACK_S = 0.25  # the sender, while due messages wait for their pace
AFTER_ERROR_S = 1.0  # at most; a run that failed is tried again after this
RESTOCK_S = 60.0  # at the latest, the restock job looks for dishes sold out for the day
MAP_S = 5.0  # at the latest, the map job looks for riders another instance took in
SWEEP_AGAIN_S = 1.0  # the retention job, when its last run left rows to sweep

Work = Callable[[], Awaitable[datetime | None]]  # runs the job once; returns its next due time


async def process_order_queue(services: Services) -> datetime | None:
    """Works the due tasks of the order queue: confirms, dispatches, marks ready."""
    report = await services.worker.run_once()
    if report.claimed:
        logger.debug("order queue: %s", report)
    return await services.worker.next_due()


async def send_outbox(app: AppType, services: Services) -> datetime | None:
    """Sends the committed chat messages that may go out now, paced per chat and overall."""
    if await send_due(app.bot, services) >= services.outbox.batch_size:
        services.wakeup.outbox.set()  # a whole batch: more may be due now
    return await services.outbox.next_due(services.clock.now())


class JobLoop:
    """Runs one job: when woken, when due, at the latest every `fallback_s`."""

    def __init__(
        self, name: str, work: Work, signal: Signal, clock: Clock, *, fallback_s: float,
        held_s: float, on_error: Callable[[str, Exception], Awaitable[None]],
    ) -> None:
        self.name = name
        self._work, self._signal, self._clock = work, signal, clock
        self._fallback_s, self._held_s, self._on_error = fallback_s, held_s, on_error
        self._stopping = False
        self._busy = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Lets a run in progress finish (it settles what it claimed), then stops."""
        self._stopping = True
        if self._task is None:
            return
        if not self._busy:  # waiting for the next look: nothing to finish
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            self._signal.take()
            self._busy = True
            try:
                wait_s = self.wait_after(await self._work())
            except Exception as exc:  # logged and the admins told; tried again shortly
                await self._on_error(self.name, exc)
                wait_s = min(self._fallback_s, AFTER_ERROR_S)
            finally:
                self._busy = False
            if self._stopping:
                return
            await self._signal.wait(wait_s)
            gap = started + MIN_GAP_S - loop.time()
            if gap > 0:
                await asyncio.sleep(gap)

    def wait_after(self, due: datetime | None) -> float:
        """Seconds until the next look, unless woken: the next due time, at most the fallback
        interval; `held_s` when something is due already (it is held back)."""
        if due is None:
            return self._fallback_s
        left = (due - self._clock.now()).total_seconds()
        return self._held_s if left <= 0 else min(left, self._fallback_s)


class Jobs:
    """The job loops of one running Application."""

    def __init__(self, app: AppType, services: Services) -> None:
        settings, wakeup = services.settings, services.wakeup

        async def on_error(name: str, exc: Exception) -> None:
            await report_failure(services, name, exc)

        self.queue = JobLoop("order-queue", lambda: process_order_queue(services),
                             wakeup.queue, services.clock, fallback_s=settings.queue_interval_s,
                             held_s=0.0, on_error=on_error)
        self.outbox = JobLoop("outbox", lambda: send_outbox(app, services), wakeup.outbox,
                              services.clock, fallback_s=settings.outbox_interval_s,
                              held_s=min(HELD_BACK_S, settings.outbox_interval_s),
                              on_error=on_error)
        # dishes sold out for the day come back at their restaurant's next opening; nothing
        # wakes it but its due time and the fallback, which finds other instances' marks
        self.restock = JobLoop("restock", services.admin.stock.restock, Signal(),
                               services.clock, fallback_s=RESTOCK_S, held_s=MIN_GAP_S,
                               on_error=on_error)
        # riders on the map: woken when a rider moves here, else at its next move's time
        self.rider_map = JobLoop("rider-map", lambda: move_maps(app.bot, services),
                                 wakeup.rider_map, services.clock, fallback_s=MAP_S,
                                 held_s=MIN_GAP_S, on_error=on_error)
        # rows done with, deleted once old (domain/retention.py): at start, then hourly, and
        # again at once while a run leaves more than its batches
        self.retention = JobLoop("retention", services.retention.sweep, Signal(),
                                 services.clock, fallback_s=EVERY.total_seconds(),
                                 held_s=SWEEP_AGAIN_S, on_error=on_error)

    def start(self) -> None:
        for loop in self._loops():
            loop.start()

    async def stop(self) -> None:
        await asyncio.gather(*(loop.stop() for loop in self._loops()))

    def _loops(self) -> tuple[JobLoop, ...]:
        return self.queue, self.outbox, self.restock, self.rider_map, self.retention


async def report_failure(services: Services, job: str, exc: Exception) -> None:
    """As the error handler does for a job: logged with its traceback, the admins told."""
    secrets = secrets_of(services.settings)
    trace = "".join(traceback.format_exception(exc)).rstrip()
    logger.error("job %s failed:\n%s", job, scrub(trace, secrets))
    await alert_admins(services.error_alerts, failure_of(exc, None, job=job), secrets)
