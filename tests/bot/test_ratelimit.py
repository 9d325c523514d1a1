"""The outbox sender's calls are never retried by PTB's limiter; the handlers' replies are."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.ratelimit import NO_RETRY, AppRateLimiter


class FloodedOnce:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> bool:
        self.calls += 1
        if self.calls == 1:
            raise RetryAfter(0)
        return True


async def test_a_no_retry_call_gets_the_retry_after_back_at_once() -> None:
    limiter, call = AppRateLimiter(max_retries=3), FloodedOnce()
    with pytest.raises(RetryAfter):
        await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, NO_RETRY)
    assert call.calls == 1


async def test_other_calls_keep_the_limiters_retries() -> None:
    limiter, call = AppRateLimiter(max_retries=3), FloodedOnce()
    assert await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert call.calls == 2
