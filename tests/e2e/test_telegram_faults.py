"""The bot's own Telegram calls under Telegram's faults: a 429 on one chat's reply, and 5xx
answers and timeouts on any call, with several users at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.context import AppType
from sandbox import BotApiServer, Faults, SandboxUser
from storage.rows import OrderRow
from tests.e2e.journey import Uows, check_out_within

FLOOD_WAIT_S = 20
PROMPT_S = 5.0  # far below the flood wait: nobody else waits for the flooded chat


async def test_a_429_on_one_chats_reply_makes_only_that_chat_wait(
    bot: AppType, server: BotApiServer, customer: SandboxUser, customer_2: SandboxUser
) -> None:
    server.fail_next("sendMessage", code=429, retry_after=FLOOD_WAIT_S, chat_id=customer.id)
    loop = asyncio.get_running_loop()
    await customer.send("/help")
    await customer.wait_until(lambda: bool(server.injected_faults), timeout=PROMPT_S)
    asked = loop.time()
    await customer_2.send("/help")

    await customer_2.wait_for_new(lambda m: "/restaurants" in m.text, timeout=PROMPT_S)
    assert loop.time() - asked < PROMPT_S
    assert customer.bot_messages == []  # still waiting out its flood control

    await customer.wait_for_new(lambda m: "/restaurants" in m.text, timeout=FLOOD_WAIT_S + 15)
    assert loop.time() - asked >= FLOOD_WAIT_S - 1  # Telegram's wait was honoured
    assert len(customer.bot_messages) == 1


CUSTOMERS = 15
CHECKOUT_WITHIN_S = 60.0
# 15% of the bot's calls answered 500 and 8% held past the client's timeout (PTB's 5 s), then
# performed all the same, as Telegram does. getUpdates is spared: fetching updates is PTB's
# updater's (and the inbox's) business, and with the tests' one-second long polls its stalls
# would measure that; bench/reply_faults.py measures both ways.
UNSTABLE = Faults(error_rate=0.15, delay_rate=0.08, delay_s=8.0, exempt=["getUpdates"])


async def test_under_500s_and_timeouts_every_customer_checks_out_in_time_and_orders_once(
    bot: AppType, server: BotApiServer, uows: Uows
) -> None:
    customers = [server.user(3000 + n, first_name=f"Customer {n}") for n in range(CUSTOMERS)]
    server.set_faults(UNSTABLE)

    took = await asyncio.gather(*(check_out_within(c, CHECKOUT_WITHIN_S) for c in customers))

    server.set_faults(None)
    assert max(took) < CHECKOUT_WITHIN_S
    async with uows() as uow:
        placed = (await uow.session.execute(
            select(OrderRow.customer_id, func.count()).group_by(OrderRow.customer_id))).all()
    assert sorted(placed) == [(c.id, 1) for c in customers]  # one order each, none twice
    faults = server.injected_faults
    assert sum(f.code == 500 for f in faults) >= 10 and any(f.code is None for f in faults)
