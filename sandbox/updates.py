"""The bot's update queue: getUpdates long polling, offsets, allowed_updates and webhooks."""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
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


class WebhookDeliverer:
    """Background task POSTing queued updates, in order, to the webhook URL while one is set."""

    def __init__(self, queue: UpdateQueue, notifier: Notifier,
                 request_timeout: float = 10.0) -> None:
        self._queue = queue
        self._notifier = notifier
        self._timeout = request_timeout
        self.delivered = 0

    def _next_job(self) -> tuple[str, dict[str, Any]] | bool | None:
        q = self._queue
        if q.closed:
            return False
        if q.webhook.url and q.pending:
            return q.webhook.url, q.pending[0]
        return None

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self._timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            backoff = 0.05
            while True:
                job = await self._notifier.wait_for(self._next_job, None)
                if not isinstance(job, tuple):
                    return
                url, update = job
                if await self._post(session, url, update):
                    self._queue.remove(update["update_id"])
                    self.delivered += 1
                    backoff = 0.05
                    continue
                with contextlib.suppress(TimeoutError):  # retry later, or sooner on a change
                    await self._notifier.wait_for(lambda: self._queue.closed or None, backoff)
                backoff = min(backoff * 2, 2.0)

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
