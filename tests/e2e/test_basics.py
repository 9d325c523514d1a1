"""/start and /help through the real bot over HTTP."""

import asyncio

from bot.context import AppType
from bot.sandbox import BotApiServer, SandboxUser


async def test_start_greets_each_user_by_name(
    bot: AppType, customer: SandboxUser, partner: SandboxUser, admin: SandboxUser
) -> None:
    await asyncio.gather(*(user.send("/start") for user in (customer, partner, admin)))
    for user, name in ((customer, "Asha"), (partner, "Ravi"), (admin, "Meera")):
        greeting = await user.wait_for_new(lambda m: "Foodbot" in m.content)
        assert f"Hi {name}" in greeting.text
        assert [m.text for m in user.bot_messages] == [greeting.text]  # no one else's reply


async def test_help_lists_the_commands(bot: AppType, customer: SandboxUser) -> None:
    await customer.send("/help")
    reply = await customer.wait_for_new()
    assert "/start" in reply.text and "/help" in reply.text


async def test_the_bot_registers_its_commands_with_telegram(
    bot: AppType, server: BotApiServer
) -> None:
    names = {c["command"] for c in server.commands["default"]}
    assert {"start", "help"} <= names
