"""JobQueue callbacks (DESIGN.md §4): the order queue's worker and the outbox sender.

Both only drive ports built at the composition root; every bit of state is in the database,
so any number of instances can run them side by side.
"""

from __future__ import annotations

import logging

from bot.context import AppContext, AppType
from bot.sender import send_due
from bot.settings import Settings

logger = logging.getLogger(__name__)
_ONE_AT_A_TIME = {"max_instances": 1, "coalesce": True}


async def process_order_queue(context: AppContext) -> None:
    """Works the due tasks of the order queue: confirms, dispatches, marks ready."""
    report = await context.services.worker.run_once()
    if report.claimed:
        logger.debug("order queue: %s", report)


async def send_outbox(context: AppContext) -> None:
    """Sends the committed chat messages that may go out now, paced per chat and overall."""
    await send_due(context.bot, context.services)


def register(app: AppType, settings: Settings) -> None:
    queue = app.job_queue
    assert queue is not None  # python-telegram-bot[job-queue] is a dependency
    queue.run_repeating(process_order_queue, interval=settings.queue_interval_s, first=0,
                        name="order-queue", job_kwargs=_ONE_AT_A_TIME)
    queue.run_repeating(send_outbox, interval=settings.outbox_interval_s, first=0,
                        name="outbox", job_kwargs=_ONE_AT_A_TIME)
