"""The one outbound budget: replies go ahead of waiting notifications, notifications take only
what replies leave, and the budget holds its rate."""

from __future__ import annotations

import asyncio

from bot.budget import OutboundBudget


async def spend(budget: OutboundBudget, count: int) -> None:
    for _ in range(count):
        await budget.notify()


async def drain(budget: OutboundBudget) -> None:
    """Takes the burst: from here on every call waits its turn."""
    await spend(budget, budget.spare_now())


async def test_a_reply_goes_ahead_of_notifications_already_waiting() -> None:
    budget, order = OutboundBudget(20.0), []
    await drain(budget)

    async def take(kind: str, i: int) -> None:
        await (budget.reply() if kind == "reply" else budget.notify())
        order.append(f"{kind}{i}")

    notices = [asyncio.create_task(take("notice", i)) for i in range(5)]
    await asyncio.sleep(0)  # all five are queued
    reply = asyncio.create_task(take("reply", 0))
    await asyncio.wait_for(asyncio.gather(*notices, reply), timeout=5)
    assert order[0] == "reply0", order
    assert order[1:] == [f"notice{i}" for i in range(5)]


async def test_a_reply_takes_a_free_token_at_once_even_with_notifications_waiting() -> None:
    budget = OutboundBudget(20.0)
    await drain(budget)
    waiting = [asyncio.create_task(budget.notify()) for _ in range(3)]
    await asyncio.sleep(0)
    await asyncio.wait_for(budget.reply(), timeout=1)
    assert not any(task.done() for task in waiting)  # the reply did not queue behind them
    await asyncio.wait_for(asyncio.gather(*waiting), timeout=5)


async def test_spare_is_what_no_one_waits_for() -> None:
    budget = OutboundBudget(20.0)
    assert budget.spare_now() == 10  # half a second's worth: the slack for calls on the way
    await spend(budget, 7)
    assert budget.spare_now() == 3
    await spend(budget, 3)
    waiting = asyncio.create_task(budget.reply())
    await asyncio.sleep(0)
    assert budget.spare_now() == 0  # a reply waits: notifications may claim nothing
    await asyncio.wait_for(waiting, timeout=5)


async def test_the_budget_holds_its_rate_after_a_half_seconds_burst() -> None:
    budget, loop = OutboundBudget(50.0), asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(spend(budget, 25 + 25), timeout=10)  # a burst, then 25 at 50/s
    assert loop.time() - started >= 0.45


async def test_a_cancelled_waiter_gives_up_its_place() -> None:
    budget = OutboundBudget(10.0)
    await drain(budget)
    gone = asyncio.create_task(budget.reply())
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)
    assert budget.spare_now() == 0
    await asyncio.wait_for(budget.notify(), timeout=5)  # the next token is not lost
