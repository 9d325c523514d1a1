"""Long polling into the inbox (DESIGN.md §4): each getUpdates batch is stored in one
transaction, and only then does the offset move past it (the next call acknowledges it).

One instance polls a bot token at a time: the one holding the `polling` lease in the shared
database, renewed every third of its length. Another instance started on the same database
says once that it stands by, works the order queue, the outbox and the inbox's leftovers like
every instance, and takes over polling when the lease is released (on a clean stop) or runs
out (the poller died). So two `foodbot run` never fight over getUpdates with 409 Conflict.

A 409 can still come from something polling the token outside this database. A holder that
keeps getting it for longer than a lease says so in one line and stops polling for good,
carrying on as a queue and outbox worker, rather than half-work against the other poller.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from datetime import timedelta
from typing import Any

from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.intake import Arrival, Intake, MalformedUpdate, arrival
from bot.ratelimit import NO_RETRY, retry_after_s
from domain.inbox import Leases
from domain.ports import Clock

logger = logging.getLogger(__name__)

LEASE = "polling"
POLL_TIMEOUT_S = 10  # Telegram holds a getUpdates this long when there is nothing new
MAX_BACKOFF_S = 30.0
READ_SLACK_S = 5.0  # a long poll's answer may take this much longer than its timeout

# getUpdates is asked for with `do_api_request`, to get the updates as JSON: PTB's
# `get_updates` parses every update, and the intake parses none (bot/intake.py). PTB suggests
# `get_updates` whenever a known method goes through `do_api_request`; here that is the point.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)


class PollingBlocked(Exception):
    """Something outside this database keeps polling the same bot token."""


class Poller:
    def __init__(
        self, bot: ExtBot[Any], intake: Intake, leases: Leases, clock: Clock, *, holder: str,
        lease_s: float, timeout: int = POLL_TIMEOUT_S,
    ) -> None:
        self._bot, self._intake, self._leases, self._clock = bot, intake, leases, clock
        self._holder = holder
        self._lease_s = lease_s
        self._tick_s = lease_s / 3
        self._timeout = timeout
        self._offset = 0  # 0 at start: Telegram sends again what nobody acknowledged
        self._task: asyncio.Task[None] | None = None
        self.leading = False  # holds the lease and polls
        self.blocked = False  # gave up polling: something outside this database polls

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="poller")
        self._task.add_done_callback(_report)

    async def stop(self) -> None:
        """Stops polling; acknowledges what was stored and frees the lease for a standby."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not self.leading:
            return
        if self._offset:
            with contextlib.suppress(TelegramError):
                await self._bot.get_updates(offset=self._offset, timeout=0, limit=1)
        with contextlib.suppress(Exception):
            await self._leases.release(LEASE, self._holder)
        self.leading = False

    async def run(self) -> None:
        """Polls while holding the lease; otherwise stands by and checks it now and then."""
        announced: str | None = None
        while True:
            try:
                holder = await self._acquire()
            except Exception:
                logger.warning("could not read the polling lease; trying again", exc_info=True)
                await asyncio.sleep(self._tick_s)
                continue
            if holder != self._holder:
                if holder != announced:
                    logger.warning(
                        "another instance (%s) is polling this bot: this one stands by as a "
                        "queue and outbox worker and takes over polling if that one stops",
                        holder)
                    announced = holder
                await asyncio.sleep(self._tick_s)
                continue
            if announced is not None:
                logger.warning("took over polling from %s", announced)
                announced = None
            blocked = False
            try:
                await self._lead()
            except* PollingBlocked:
                blocked = True
            if blocked:
                logger.error(
                    "getUpdates keeps answering 409 Conflict: something outside this database "
                    "polls this bot token. This instance stops polling and carries on as a "
                    "queue and outbox worker; stop the other poller and restart this one")
                with contextlib.suppress(Exception):
                    await self._leases.release(LEASE, self._holder)
                self.leading, self.blocked = False, True
                return

    async def _acquire(self) -> str:
        now = self._clock.now()
        return await self._leases.acquire(
            LEASE, self._holder, now, now + timedelta(seconds=self._lease_s))

    async def _lead(self) -> None:
        self.leading = True
        async with asyncio.TaskGroup() as group:
            polling = group.create_task(self._poll(), name="getUpdates")
            await self._keep_lease()
            self.leading = False
            polling.cancel()

    async def _keep_lease(self) -> None:
        """Returns when the lease is lost: taken by another, or not renewed for a lease."""
        loop = asyncio.get_running_loop()
        renewed = loop.time()
        while True:
            await asyncio.sleep(self._tick_s)
            try:
                holder = await self._acquire()
            except Exception as exc:
                if loop.time() - renewed < self._lease_s:
                    logger.warning("could not renew the polling lease: %s", exc)
                    continue
                logger.warning("polling lease not renewed for %.0f s: standing by", self._lease_s)
                return
            if holder != self._holder:
                logger.warning("%s took over polling: this instance stands by", holder)
                return
            renewed = loop.time()

    async def _poll(self) -> None:
        await self._retrying("deleteWebhook", self._delete_webhook)
        loop = asyncio.get_running_loop()
        conflicts_since: float | None = None
        delay = 0.0
        while True:
            if delay:
                await asyncio.sleep(delay)
            try:
                updates = await self._get_updates()
            except Conflict as exc:
                if "webhook" in str(exc).lower():  # set by someone: polling needs it gone
                    await self._retrying("deleteWebhook", self._delete_webhook)
                    continue
                now = loop.time()
                if conflicts_since is None:
                    logger.warning("getUpdates: %s", exc)
                    conflicts_since = now
                elif now - conflicts_since > self._lease_s:
                    raise PollingBlocked(str(exc)) from exc
                delay = 1.0
                continue
            except InvalidToken:
                raise
            except RetryAfter as exc:
                delay = retry_after_s(exc)
                continue
            except TelegramError as exc:
                delay = min(max(delay * 2, 0.5), MAX_BACKOFF_S)
                logger.warning("getUpdates failed (%s): again in %.1f s", exc, delay)
                continue
            conflicts_since, delay = None, 0.0
            if updates and not await self._store(updates):
                delay = 1.0  # not acknowledged: the same batch comes again
                continue
            if updates:
                self._offset = max(u["update_id"] for u in updates) + 1

    async def _get_updates(self) -> list[dict[str, Any]]:
        """The next batch, as JSON; only updates (anything else is logged and skipped, since
        Telegram would send it again and again)."""
        found = await self._bot.do_api_request(
            "getUpdates", api_kwargs={"offset": self._offset, "timeout": self._timeout,
                                      "limit": 100},
            read_timeout=self._timeout + READ_SLACK_S)
        if not isinstance(found, list):
            raise TelegramError(f"getUpdates answered {type(found).__name__}, not a list")
        updates = [u for u in found if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
        if len(updates) != len(found):
            logger.warning("getUpdates: skipped %d entries without an update_id",
                           len(found) - len(updates))
        return updates

    async def _store(self, updates: list[dict[str, Any]]) -> bool:
        arrivals: list[Arrival] = []
        for raw in updates:
            try:
                arrivals.append(arrival(raw))
            except MalformedUpdate as exc:
                logger.warning("getUpdates: skipped update %s: %s", raw["update_id"], exc)
        try:
            await self._intake.take(arrivals)
        except Exception:
            logger.exception("could not store %d updates; they stay unacknowledged", len(updates))
            return False
        return True

    async def _delete_webhook(self) -> None:
        """Sent once a try: `_retrying` backs off and tries again for as long as it takes, at
        start-up and whenever this instance starts polling later (taking over, or after
        someone set a webhook), so the start-up bound (STARTUP_RETRY_S) does not apply."""
        await self._bot.delete_webhook(rate_limit_args=NO_RETRY)

    async def _retrying(self, what: str, call: Any) -> None:
        delay = 0.5
        while True:
            try:
                await call()
                return
            except InvalidToken:
                raise
            except TelegramError as exc:
                logger.warning("%s failed (%s): again in %.1f s", what, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)


def _report(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("polling stopped", exc_info=task.exception())
