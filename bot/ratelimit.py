"""The outbound rate limiter: PTB's AIORateLimiter, plus calls that must never be retried."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

NO_RETRY = -1  # rate_limit_args for calls whose caller handles RetryAfter itself


class AppRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter, except that `rate_limit_args=NO_RETRY` means "never retry".

    PTB cannot express that: ExtBot drops a falsy `rate_limit_args` (0) before the limiter
    sees it, and the limiter reads `rate_limit_args or max_retries`, so 0 falls back to
    SEND_RETRIES, and a 429 then sleeps inside the limiter with every other request of the
    process paused. The outbox sender (bot/sender.py) passes NO_RETRY (-1, truthy): its calls
    still count against the overall 30-a-second bucket, but a RetryAfter comes straight back
    to it and only that one message is rescheduled.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if rate_limit_args is not None and rate_limit_args <= NO_RETRY:
            return await self._run_request(
                chat="chat_id" in data, group=False, allow_paid_broadcast=False,
                callback=callback, args=args, kwargs=kwargs,
            )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
