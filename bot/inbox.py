"""Handles the inbox (DESIGN.md §4): stored updates go to the Application, per chat in order,
different chats at once (at most `concurrency`, UPDATE_CONCURRENCY), and each is marked done
after its handlers ran.

One loop claims from the database (per chat only its oldest update not done, so a chat's
updates never overtake each other, whichever instance stored or claims them), starts one task
per claimed update, and, in the same transaction as its next claim, marks done those that
finished. It runs a round whenever an update is stored or one finishes, and at least every
third of the lease, when it also renews its leases and deletes done rows past `KEEP_DONE`.

A handler that raises has been answered by the error handler: its update is done. An update
too old to act on (domain.inbox.InboxPolicy) is answered "please try again" instead.

Each update is handled in its chat's language (bot/languages.py): its stored one, read with it
by the claim, or for a chat with none, its first, taken here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot import texts
from bot.context import AppType
from bot.i18n import ENGLISH, speak
from bot.languages import ChatLanguages, ours
from bot.logs import UpdateContext, handling
from domain.inbox import Inbox, InboxPolicy, StoredUpdate, Verdict
from domain.pipeline.ports import Lease
from domain.ports import Clock

logger = logging.getLogger(__name__)

KEEP_DONE = timedelta(hours=1)  # a done update is remembered this long: redeliveries skipped


class InboxDispatcher:
    def __init__(
        self, app: AppType, inbox: Inbox, clock: Clock, policy: InboxPolicy, *, worker: str,
        lease_s: float, concurrency: int,
        on_handled: Callable[[str, float], None] = lambda _kind, _seconds: None,
        languages: ChatLanguages | None = None,
    ) -> None:
        """`on_handled(kind, seconds)` hears of every update handled (the metrics); without
        `languages` every update is handled in English."""
        self._app, self._inbox, self._clock, self._policy = app, inbox, clock, policy
        self._languages = languages
        self._on_handled = on_handled
        self._worker = worker
        self._lease = timedelta(seconds=lease_s)
        self._tick_s = lease_s / 3
        self._concurrency = concurrency
        self._running: dict[int, asyncio.Task[None]] = {}
        self._finished: list[int] = []
        self._cancelled: list[int] = []
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Something was stored or finished: claim again now."""
        self._wakeup.set()

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name="inbox-dispatcher")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stops claiming, lets running handlers finish for up to `grace_s`, cancels the rest
        and gives their updates back (any instance handles them at once), marks the others
        done."""
        self._stopping = True
        self.wake()
        if self._loop is not None:
            await self._loop
        running = list(self._running.values())
        if running:
            _, late = await asyncio.wait(running, timeout=grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        try:
            await self._inbox.claim(self._claim_lease(0), finished=self._finished)
            await self._inbox.release(self._cancelled)
        except Exception:
            logger.exception("inbox: could not settle on stop; their leases run out instead")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        upkeep_at = loop.time()
        while not self._stopping:
            self._wakeup.clear()
            await self._round()
            if loop.time() >= upkeep_at:
                await self._upkeep()
                upkeep_at = loop.time() + self._tick_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._tick_s)

    async def _round(self) -> None:
        finished, self._finished = self._finished, []
        room = self._concurrency - len(self._running)
        if not finished and room <= 0:
            return
        try:
            claimed = await self._inbox.claim(self._claim_lease(room), finished=finished)
        except Exception:
            logger.exception("inbox: claim failed; trying again shortly")
            self._finished[:0] = finished
            return
        for stored in claimed:
            if stored.update_id not in self._running:
                task = asyncio.create_task(self._handle(stored), name=f"update-{stored.update_id}")
                self._running[stored.update_id] = task
                task.add_done_callback(functools.partial(self._forget, stored.update_id))

    def _forget(self, update_id: int, _: asyncio.Task[None]) -> None:
        self._running.pop(update_id, None)

    async def _upkeep(self) -> None:
        now = self._clock.now()
        try:
            await self._inbox.renew(self._worker, now + self._lease)
            pruned = await self._inbox.prune(now - KEEP_DONE)
        except Exception:
            logger.exception("inbox: upkeep failed; trying again shortly")
            return
        if pruned:
            logger.debug("inbox: deleted %d done updates", pruned)

    def _claim_lease(self, limit: int) -> Lease:
        return Lease(self._worker, self._clock.now(), self._lease, max(limit, 0))

    async def _handle(self, stored: StoredUpdate) -> None:
        """Handles one update in its chat's language; every line logged meanwhile names it
        (bot/logs.py)."""
        loop = asyncio.get_running_loop()
        with handling(context_of(stored)):
            started = loop.time()
            try:
                language = ours(stored.language)
                if language is None and self._languages is not None:
                    language = await self._languages.first_contact(stored.chat_id,
                                                                   stored.payload)
                speak(language or ENGLISH)  # this task is this update's alone
                update = Update.de_json(dict(stored.payload), self._app.bot)
                verdict = self._policy.verdict(stored, self._clock.now())
                if verdict is Verdict.HANDLE:
                    await self._app.process_update(update)
                else:
                    logger.info("update %s (%s, attempt %d) not acted on: %s", stored.update_id,
                                stored.kind, stored.attempts, verdict.value)
                    await ask_to_try_again(self._app.bot, update, stored.chat_id)
            except asyncio.CancelledError:
                self._cancelled.append(stored.update_id)
                raise
            except Exception:  # outside the handlers (they have the error handler): never again
                logger.exception("update %s could not be handled", stored.update_id)
            self._on_handled(stored.kind, loop.time() - started)
        self._finished.append(stored.update_id)
        self.wake()


def context_of(stored: StoredUpdate) -> UpdateContext:
    """Who and what an update is, for the log lines of its handling."""
    body = stored.payload.get(stored.kind)
    sender = body.get("from") if isinstance(body, Mapping) else None
    user = sender.get("id") if isinstance(sender, Mapping) else None
    return UpdateContext(stored.update_id, user if isinstance(user, int) else None,
                         stored.chat_id or None, stored.kind)


async def ask_to_try_again(bot: ExtBot[Any], update: Update, chat_id: int) -> None:
    """A press gets its answer and a message; a message gets a message; nothing else is
    answered. Nothing is acted on."""
    query = update.callback_query
    if query is None and update.message is None:
        return
    if query is not None:
        try:
            await query.answer(texts.TRY_AGAIN_ALERT)
        except TelegramError as exc:  # Telegram refuses to answer very old presses
            logger.info("could not answer stale press %s: %s", query.id, exc)
    await bot.send_message(chat_id, texts.TRY_AGAIN)
