"""The per-user inbound limit (DESIGN.md §7): a user who floods the bot is told once to slow
down and the rest of their flood is not handled; everyone else is answered as usual, and the
admins are never limited. And a user whose update takes long holds up nobody else.

The limit here is 4 updates a minute: one comes back every 15 s, far longer than a test takes.
Telegram's outbound flood limits are off: the admin's seven answers would otherwise take
seven seconds, and pacing replies is not what these tests are about.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.context import AppContext, AppType
from bot.settings import Settings
from sandbox import BotApiServer, SandboxUser
from tests.e2e.conftest import CUSTOMER, e2e_settings
from tests.e2e.journey import TIMEOUT, Uows, cart_of, open_menu

LIMIT = 4
FLOOD = 7


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, inbound_limit_per_user_per_min=LIMIT)


@pytest.fixture(autouse=True)
def no_flood_limits(server: BotApiServer) -> None:
    server.set_limits(None)


def helps(user: SandboxUser) -> int:
    return sum("/restaurants" in m.text for m in user.bot_messages)


def slow_downs(user: SandboxUser) -> int:
    return sum(m.text == texts.SLOW_DOWN for m in user.bot_messages)


async def test_a_flooding_user_is_told_once_and_the_rest_is_not_answered(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser, admin: SandboxUser
) -> None:
    for _ in range(FLOOD):
        await asyncio.gather(customer.send("/help"), admin.send("/help"))
    await customer_2.send("/help")

    await customer_2.wait_for(lambda m: "/restaurants" in m.text, timeout=TIMEOUT)
    await admin.wait_until(lambda: helps(admin) == FLOOD, timeout=TIMEOUT)
    await customer.wait_until(lambda: helps(customer) == LIMIT and slow_downs(customer) == 1,
                              timeout=TIMEOUT)
    # customer_2 wrote after the whole flood: it has all been taken in, and turned away
    assert (helps(customer), slow_downs(customer)) == (LIMIT, 1)  # nothing more came
    assert len(customer.bot_messages) == LIMIT + 1
    assert [m.text for m in customer_2.bot_messages if m.text == texts.SLOW_DOWN] == []
    assert slow_downs(admin) == 0


async def test_every_press_of_a_limited_user_is_answered_and_changes_nothing(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser, uows: Uows
) -> None:
    menu = await open_menu(customer)  # two updates of the four
    presses = [await customer.press("➕ Pizza · ₹250.00", message_id=menu.message_id)
               for _ in range(5)]
    answers = [await customer.wait_for_answer(p, timeout=TIMEOUT) for p in presses]

    assert [(a.text, a.show_alert) for a in answers[2:]] == [
        (texts.SLOW_DOWN, True), (texts.SLOW_DOWN, False), (texts.SLOW_DOWN, False)]
    assert all(a.text != texts.SLOW_DOWN for a in answers[:2])
    assert await cart_of(uows, CUSTOMER) == {"Pizza": 2}  # the refused presses added nothing

    other = await open_menu(customer_2)  # someone else's presses go through as usual
    await customer_2.press("➕ Pizza · ₹250.00", message_id=other.message_id)
    await customer_2.wait_for_new(lambda m: "In your cart" in m.content, timeout=TIMEOUT)


async def test_a_user_whose_update_is_slow_holds_up_nobody_else_and_keeps_their_order(
    bot: AppType, customer: SandboxUser, customer_2: SandboxUser
) -> None:
    released = asyncio.Event()

    async def slow(update: Update, context: AppContext) -> None:
        await released.wait()  # as slow as a reply Telegram makes wait

    bot.add_handler(MessageHandler(filters.Text(["slow"]), slow), group=-1)
    await customer.send("slow")
    await customer.send("/help")
    await customer_2.send("/help")

    try:
        await customer_2.wait_for(lambda m: "/restaurants" in m.text, timeout=TIMEOUT)
        assert helps(customer) == 0  # their /help waits for their own slow update, in order
    finally:
        released.set()  # never leave the bot stuck, even when the test fails
    await customer.wait_for(lambda m: "/restaurants" in m.text, timeout=TIMEOUT)
