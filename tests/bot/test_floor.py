"""The notifications' floor (bot/floor.py): within it a notification takes the next token,
ahead of the waiting replies, instead of going after all of them; and the sender may claim it
even when replies leave nothing spare."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.budget import OutboundBudget
from bot.floor import Floor
from bot.ratelimit import NO_RETRY, AppRateLimiter
from tests.bot.test_budget import drain
from tests.bot.test_ratelimit import QUICK, call


class Recorded:
    """Telegram answering every call at once, noting who was sent in what order."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def saying(self, name: str) -> Any:
        async def send(*_args: Any, **_kwargs: Any) -> bool:
            self.order.append(name)
            return True
        return send


async def order_of_sends(floor: Floor) -> list[str]:
    """Three replies waiting, then a notification, then three more replies."""
    budget = OutboundBudget(20.0)
    limiter = AppRateLimiter(QUICK, budget=budget, floor=floor)
    await drain(budget)
    telegram, calls = Recorded(), []
    for name in ("r0", "r1", "r2", "note", "r3", "r4", "r5"):
        args = NO_RETRY if name == "note" else None
        calls.append(asyncio.create_task(call(limiter, telegram.saying(name),  # type: ignore[arg-type]
                                              chat=len(calls), rate_limit_args=args)))
        await asyncio.sleep(0)  # queued before the next one comes
    await asyncio.wait_for(asyncio.gather(*calls), timeout=10)
    return telegram.order


async def test_a_notification_within_the_floor_takes_the_next_token() -> None:
    assert await order_of_sends(Floor(5.0)) == ["note", "r0", "r1", "r2", "r3", "r4", "r5"]


async def test_without_a_floor_a_notification_waits_for_every_reply() -> None:
    assert await order_of_sends(Floor(0)) == ["r0", "r1", "r2", "r3", "r4", "r5", "note"]


async def test_the_sender_may_claim_the_floors_token_when_replies_leave_nothing() -> None:
    budget = OutboundBudget(20.0)
    await drain(budget)
    waiting = asyncio.create_task(budget.reply())
    await asyncio.sleep(0)
    assert await budget.spare() == 0
    assert await AppRateLimiter(QUICK, budget=budget, floor=Floor(5.0)).spare() == 1
    assert await AppRateLimiter(QUICK, budget=budget, floor=Floor(0)).spare() == 0
    await asyncio.wait_for(waiting, timeout=5)


def test_the_floor_holds_one_token_and_refills_at_its_rate() -> None:
    now = [0.0]
    floor = Floor(4.0, clock=lambda: now[0])
    assert floor.take() and not floor.take()
    now[0] = 0.2  # 0.8 of a token
    assert floor.available() == 0
    now[0] = 10.0  # long idle: still one token, not forty
    assert floor.available() == 1
    assert floor.take() and not floor.take()
    never = Floor(0, clock=lambda: now[0])
    now[0] = 1000.0
    assert never.available() == 0 and not never.take()
