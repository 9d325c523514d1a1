"""The rate limiter's decisions per call: what is sent again, what waits, what comes back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.chat_pace import ChatPace
from bot.ratelimit import NO_RETRY, AppRateLimiter, StartupFailed
from domain.retry import RetryPolicy

QUICK = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05)
TOKEN = "123456:SECRET-token-value"


class Telegram:
    """Answers calls with the given failures first, then success; counts the calls."""

    def __init__(self, *failures: Exception) -> None:
        self.failures, self.calls = list(failures), 0
        self.called = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> bool:
        self.calls += 1
        self.called.set()
        if self.failures:
            raise self.failures.pop(0)
        return True


def limiter(policy: RetryPolicy = QUICK, **options: Any) -> AppRateLimiter:
    return AppRateLimiter(policy, redact=lambda text: text.replace(TOKEN, "<redacted>"),
                          **options)


async def call(limiter: AppRateLimiter, telegram: Telegram, endpoint: str = "sendMessage",
               chat: int | None = 1, rate_limit_args: int | None = None) -> Any:
    data = {} if chat is None else {"chat_id": chat}
    return await limiter.process_request(telegram, (), {}, endpoint, data, rate_limit_args)


async def test_a_no_retry_call_gets_every_failure_back_at_once() -> None:
    for failure in (RetryAfter(0), NetworkError("Internal Server Error"), TimedOut()):
        telegram = Telegram(failure)
        with pytest.raises(type(failure)):
            await call(limiter(), telegram, rate_limit_args=NO_RETRY)
        assert telegram.calls == 1


async def test_a_reply_is_sent_again_after_flood_control_and_transient_errors() -> None:
    telegram = Telegram(RetryAfter(0), NetworkError("Bad Gateway"), TimedOut())
    assert await call(limiter(), telegram)
    assert telegram.calls == 4


async def test_transient_errors_are_retried_up_to_the_policys_attempts() -> None:
    telegram = Telegram(*[NetworkError("Internal Server Error")] * 10)
    with pytest.raises(NetworkError):
        await call(limiter(), telegram)
    assert telegram.calls == QUICK.max_attempts


async def test_a_bad_request_is_never_sent_again() -> None:
    telegram = Telegram(BadRequest("Message is not modified"))
    with pytest.raises(BadRequest):
        await call(limiter(), telegram)
    assert telegram.calls == 1


async def test_a_429_holds_back_its_own_chat_only() -> None:
    limits, loop = limiter(), asyncio.get_running_loop()
    flooded = Telegram(RetryAfter(1))
    started = loop.time()
    waiting = asyncio.create_task(call(limits, flooded, chat=1))
    await asyncio.wait_for(flooded.called.wait(), timeout=5)

    other, outbox = Telegram(), Telegram()
    assert await call(limits, other, chat=2)
    assert not waiting.done()  # chat 2 was answered while chat 1 still waits out its 429
    with pytest.raises(RetryAfter):  # the sender learns of chat 1's wait without asking
        await call(limits, outbox, chat=1, rate_limit_args=NO_RETRY)
    assert outbox.calls == 0

    assert await waiting
    assert flooded.calls == 2 and loop.time() - started >= 0.99


async def test_a_press_answer_is_not_retried_past_the_time_telegram_takes_it() -> None:
    slow = RetryPolicy(max_attempts=10, base_delay_s=20.0)  # the first wait already too late
    telegram = Telegram(TimedOut())
    with pytest.raises(TimedOut):
        await call(limiter(slow), telegram, "answerCallbackQuery", chat=None)
    assert telegram.calls == 1


async def test_start_up_calls_are_retried_until_the_bound_then_fail_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    telegram = Telegram(*[NetworkError(f"Internal Server Error at /bot{TOKEN}/getMe")] * 1000)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(StartupFailed) as failed:
        await call(limiter(startup_retry_s=0.3), telegram, "getMe", chat=None)
    assert 0.3 <= loop.time() - started < 2
    assert "did not answer getMe for 0 s (STARTUP_RETRY_S)" in str(failed.value)
    attempts = [r.getMessage() for r in caplog.records if "start-up: getMe failed" in r.message]
    assert len(attempts) == telegram.calls - 1 >= 3
    assert TOKEN not in str(failed.value) + "".join(attempts)


async def test_a_rejected_token_stops_start_up_at_once_without_showing_it() -> None:
    telegram = Telegram(InvalidToken(f"The token `{TOKEN}` was rejected"))
    with pytest.raises(StartupFailed) as failed:
        await call(limiter(), telegram, "getMe", chat=None)
    assert telegram.calls == 1 and TOKEN not in str(failed.value)


async def test_a_notification_waits_for_the_room_its_chats_replies_used() -> None:
    now = [0.0]
    limits = limiter(per_chat=ChatPace(1.0, clock=lambda: now[0]))
    replies = Telegram()
    for _ in range(3):  # checkout's replies to the customer: the chat's burst
        assert await call(limits, replies, chat=1)

    ping = Telegram()
    with pytest.raises(RetryAfter):  # "on its way" would have met a 429: told, not sent
        await call(limits, ping, chat=1, rate_limit_args=NO_RETRY)
    assert ping.calls == 0
    assert await call(limits, ping, chat=2, rate_limit_args=NO_RETRY)  # other chats go on
    assert await call(limits, ping, "editMessageText", chat=1, rate_limit_args=NO_RETRY)
    assert await call(limits, replies, chat=1)  # a reply is never held back by it
    now[0] += 2.0  # the chat has room again
    assert await call(limits, ping, chat=1, rate_limit_args=NO_RETRY)
    assert ping.calls == 3
