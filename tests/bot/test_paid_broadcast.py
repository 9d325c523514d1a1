"""Paid broadcasts in the rate limiter (PAID_BROADCAST): a call carrying allow_paid_broadcast
takes from the paid budget only, never from the one the replies use; everything else is paced
as before. The budgets run on a clock that stands still: a call that needed a token the
budget lacks would wait for ever, so a call that returns took none from it."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.budget import OutboundBudget
from bot.ratelimit import NO_RETRY, AppRateLimiter
from tests.bot.test_ratelimit import QUICK, Telegram


def still(per_s: float) -> OutboundBudget:
    return OutboundBudget(per_s, clock=lambda: 100.0)


async def send(limiter: AppRateLimiter, *, paid: bool, chat: int = 1,
               rate_limit_args: int | None = NO_RETRY) -> Any:
    data: dict[str, Any] = {"chat_id": chat}
    if paid:
        data["allow_paid_broadcast"] = True
    call = limiter.process_request(Telegram(), (), {}, "sendMessage", data, rate_limit_args)
    return await asyncio.wait_for(call, timeout=10)


async def test_a_paid_broadcast_goes_out_while_the_free_budget_is_empty() -> None:
    free, paid = still(20.0), still(100.0)
    limiter = AppRateLimiter(QUICK, budget=free, paid=paid)
    for _ in range(free.spare_now()):
        await free.reply()
    assert free.spare_now() == 0
    before = paid.spare_now()
    for chat in range(5):
        assert await send(limiter, paid=True, chat=chat) is True
    assert paid.spare_now() == before - 5
    assert free.spare_now() == 0


async def test_replies_and_unpaid_calls_never_take_from_the_paid_budget() -> None:
    free, paid = still(20.0), still(100.0)
    limiter = AppRateLimiter(QUICK, budget=free, paid=paid)
    paid_before, free_before = paid.spare_now(), free.spare_now()
    await send(limiter, paid=False, chat=1, rate_limit_args=None)  # a handler's reply
    await send(limiter, paid=False, chat=2)  # an edit of the tracking message, say
    assert paid.spare_now() == paid_before
    assert free.spare_now() == free_before - 2


async def test_without_paid_broadcasts_the_parameter_takes_from_the_one_budget() -> None:
    free = still(20.0)
    limiter = AppRateLimiter(QUICK, budget=free)
    before = free.spare_now()
    await send(limiter, paid=True)
    assert free.spare_now() == before - 1


async def test_the_sender_learns_what_the_paid_budget_has_spare() -> None:
    paid = still(100.0)
    assert await AppRateLimiter(QUICK, budget=still(20.0)).paid_spare() is None
    assert await AppRateLimiter(QUICK, budget=still(20.0), paid=paid).paid_spare() == 50
