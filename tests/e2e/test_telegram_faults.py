"""The bot's own Telegram calls under Telegram's faults: a 429 on one chat's reply, and 5xx
answers and timeouts on any call, with several users at once."""

from __future__ import annotations

import asyncio

from bot.context import AppType
from sandbox import BotApiServer, SandboxUser

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
