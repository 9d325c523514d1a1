"""The bot's update queue: getUpdates long polling, offsets, allowed_updates and webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from sandbox.errors import ApiError
from sandbox.notifier import Notifier

logger = logging.getLogger(__name__)

ALL_UPDATE_TYPES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
})
# Telegram's default when allowed_updates is unset or []: everything but these three.
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member", "message_reaction", "message_reaction_count"}
WEBHOOK_CONFLICT = ApiError(
    409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first")
POLL_CONFLICT = ApiError(
    409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running")


@dataclass
class WebhookConfig:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class UpdateQueue:
    """Pending updates in update_id order. Confirmed updates (id < offset) are dropped for good.

    allowed_updates filters updates when they are created, like Telegram (changing it does not
    affect updates already queued).
    """

    def __init__(self, notifier: Notifier) -> None:
        self.pending: list[dict[str, Any]] = []
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.allowed_explicit: list[str] | None = None
        self.webhook = WebhookConfig()
        self.closed = False
        self._ids = itertools.count(1)
        self._notifier = notifier
        self._generation = 0
        self.waiting_polls = 0  # long polls currently waiting for an update

    def push(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update; returns its update_id, or None if allowed_updates filters it out."""
        if kind not in self.allowed:
            logger.debug("update of type %s dropped by allowed_updates", kind)
            return None
        update_id = next(self._ids)
        self.pending.append({"update_id": update_id, kind: payload})
        self._notifier.notify()
        return update_id

    def set_allowed(self, value: list[str] | None) -> None:
        if value is None:
            return
        self.allowed_explicit = list(value) or None
        self.allowed = frozenset(value) & ALL_UPDATE_TYPES if value else DEFAULT_UPDATE_TYPES

    def confirm(self, offset: int) -> None:
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def drop_pending(self) -> None:
        self.pending.clear()
        self._notifier.notify()

    def remove(self, update_id: int) -> None:
        self.pending = [u for u in self.pending if u["update_id"] != update_id]
        self._notifier.notify()

    def close(self) -> None:
        """Make all running and future long polls return immediately."""
        self.closed = True
        self._notifier.notify()

    async def get_updates(self, offset: int, limit: int, timeout: float,  # noqa: ASYNC109
                          allowed: list[str] | None) -> list[dict[str, Any]]:
        if self.webhook.url:
            raise WEBHOOK_CONFLICT
        self.set_allowed(allowed)
        self.confirm(offset)
        self._generation += 1
        generation = self._generation
        self._notifier.notify()  # wakes an older long poll so it can end with 409
        if timeout > 0 and not self.pending and not self.closed:
            def ready() -> bool | None:
                return (bool(self.pending) or self.closed or generation != self._generation) or None

            self.waiting_polls += 1
            self._notifier.notify()
            try:
                with contextlib.suppress(TimeoutError):
                    await self._notifier.wait_for(ready, timeout)
            finally:
                self.waiting_polls -= 1
            if generation != self._generation and not self.closed:
                raise POLL_CONFLICT
        return [dict(u) for u in self.pending[:limit]]

    def webhook_info(self) -> dict[str, Any]:
        w = self.webhook
        info: dict[str, Any] = {"url": w.url, "has_custom_certificate": False,
                                "pending_update_count": len(self.pending)}
        if w.url:
            info["max_connections"] = w.max_connections
            if w.ip_address:
                info["ip_address"] = w.ip_address
            if self.allowed_explicit:
                info["allowed_updates"] = self.allowed_explicit
        if w.last_error_date is not None:
            info["last_error_date"] = w.last_error_date
            info["last_error_message"] = w.last_error_message
        return info


def chat_key(update: dict[str, Any]) -> int:
    """The chat an update belongs to (its chat, else its user; 0 for neither): the lane it is
    delivered in."""
    payload = next((v for k, v in update.items() if k != "update_id"), None)
    if not isinstance(payload, dict):
        return 0
    for holder in (payload, payload.get("message")):
        if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
            return int(holder["chat"].get("id", 0))
    for field in ("from", "user"):
        if isinstance(payload.get(field), dict):
            return int(payload[field].get("id", 0))
    return 0


class WebhookDeliverer:
    """Background task POSTing queued updates to the webhook URL while one is set.

    As Telegram's Bot API server does (its webhook sender keeps one queue per chat): up to
    the webhook's `max_connections` (default 40) requests at once, but one chat's updates
    one at a time and in update_id order: the next goes out only after the webhook answered
    the previous one 2xx. A failing update is retried with backoff (0.05 s doubling to 2 s)
    and holds back only its own chat. So a bot that answers 200 only once an update is
    stored sees one chat's updates stored in the order they were sent, however many
    connections, balancers and instances the other chats' updates travel through.
    """

    def __init__(self, queue: UpdateQueue, notifier: Notifier,
                 request_timeout: float = 10.0) -> None:
        self._queue = queue
        self._notifier = notifier
        self._timeout = request_timeout
        self.delivered = 0
        self.most_in_flight = 0  # the most requests ever open at once
        self._in_flight: set[int] = set()  # update ids being posted
        self._retry_at: dict[int, float] = {}  # chat -> when its failed update goes again
        self._backoff: dict[int, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._finished = 0  # deliveries ended, failed or not

    def _ready(self) -> list[tuple[str, dict[str, Any]]] | bool | None:
        """The updates to post now (the oldest waiting of each idle chat), False once closed."""
        q = self._queue
        if q.closed:
            return False
        if not q.webhook.url:
            return None
        room = q.webhook.max_connections - len(self._in_flight)
        now = time.monotonic()
        seen: set[int] = set()
        jobs: list[tuple[str, dict[str, Any]]] = []
        for update in q.pending:
            if room <= len(jobs):
                break
            key = chat_key(update)
            if key in seen:
                continue
            seen.add(key)
            if update["update_id"] not in self._in_flight and self._retry_at.get(key, 0) <= now:
                jobs.append((q.webhook.url, update))
        return jobs or None

    def _plan(self) -> Callable[[], list[tuple[str, dict[str, Any]]] | bool | None]:
        """What to wait for: updates ready to post, or (an empty list) a delivery ending,
        after which the wait is planned again (a failure brings a retry time)."""
        finished = self._finished

        def probe() -> list[tuple[str, dict[str, Any]]] | bool | None:
            ready = self._ready()
            return [] if ready is None and self._finished != finished else ready

        return probe

    def _next_retry_in(self) -> float | None:
        if not self._retry_at:
            return None
        return max(min(self._retry_at.values()) - time.monotonic(), 0.0)

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self._timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                while True:
                    try:
                        jobs = await self._notifier.wait_for(self._plan(), self._next_retry_in())
                    except TimeoutError:  # a failed chat's retry is due
                        continue
                    if not isinstance(jobs, list):
                        return
                    for url, update in jobs:
                        self._in_flight.add(update["update_id"])
                        task = asyncio.create_task(self._deliver(session, url, update))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                    self.most_in_flight = max(self.most_in_flight, len(self._in_flight))
            finally:
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _deliver(self, session: aiohttp.ClientSession, url: str,
                       update: dict[str, Any]) -> None:
        key = chat_key(update)
        try:
            if await self._post(session, url, update):
                self._retry_at.pop(key, None)
                self._backoff.pop(key, None)
                self._queue.remove(update["update_id"])
                self.delivered += 1
            else:
                backoff = self._backoff.get(key, 0.025) * 2
                self._backoff[key] = min(backoff, 2.0)
                self._retry_at[key] = time.monotonic() + self._backoff[key]
        finally:
            self._in_flight.discard(update["update_id"])
            self._finished += 1
            self._notifier.notify()

    async def _post(self, session: aiohttp.ClientSession, url: str, update: dict[str, Any]) -> bool:
        headers = {}
        if self._queue.webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self._queue.webhook.secret_token
        try:
            async with session.post(url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return True
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        logger.info("webhook delivery of update %s failed: %s", update["update_id"], error)
        self._queue.webhook.last_error_date = int(time.time())
        self._queue.webhook.last_error_message = error
        return False
