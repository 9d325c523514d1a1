"""The durable inbox: what was stored is handled after a crash, once, per chat in order; a
redelivered update is handled once; an update too old to act on gets "please try again"."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot import texts
from bot.clock import SystemClock
from bot.intake import Intake, arrival
from bot.settings import Settings
from bot.wiring import polling, seed_database
from domain.ids import UserId
from domain.pipeline.ports import Lease
from sandbox import BotApiServer, SandboxUser
from storage.db import make_engine, make_sessionmaker
from storage.inbox import SqlInbox
from tests.e2e.conftest import e2e_settings
from tests.e2e.inbox_kit import (
    WAIT,
    Ahead,
    acknowledged,
    inbox_rows,
    storing_only,
    telegram_bot,
)
from tests.e2e.journey import Uows, add_dishes, checkout_to_summary, open_menu, order_count

GREETING, CART, HELP = "I'm Foodbot", "cart is empty", "/restaurants"
THREE_SCREENS = (("/start", GREETING), ("/cart", CART), ("/help", HELP))


def quick_leases(server: BotApiServer, folder: Path) -> Settings:
    return e2e_settings(server, folder, inbox_lease_s=1.0)


async def send_three(user: SandboxUser) -> None:
    for command, _ in THREE_SCREENS:
        await user.send(command)


async def answered_in_order(user: SandboxUser) -> None:
    """The three screens, each once, in the order asked; then nothing else comes first."""
    for _, expect in THREE_SCREENS:
        await user.wait_for_text(expect, timeout=WAIT)
    await user.send("/help")
    await user.wait_until(lambda: len(user.bot_messages) >= 4, timeout=WAIT)
    seen = [next(e for _, e in THREE_SCREENS if e in m.content) for m in user.bot_messages]
    assert seen == [GREETING, CART, HELP, HELP], user.describe()


async def test_updates_stored_before_a_crash_are_handled_once_each_in_per_chat_order(
    server: BotApiServer, tmp_path: Path
) -> None:
    settings = quick_leases(server, tmp_path)
    await seed_database(settings)
    users = [server.user(1001 + n, first_name=f"User{n}") for n in range(4)]
    for user in users:  # interleaved: each chat's three updates are not adjacent
        await send_three(user)
    async with storing_only(settings, server):
        pass
    assert len(await inbox_rows(settings)) == 12 and not server.pending_updates

    async with polling(settings):  # a new Application on the same database
        await asyncio.gather(*(answered_in_order(user) for user in users))
    assert all(done for _, _, done in await inbox_rows(settings))


async def test_updates_held_by_an_instance_that_died_mid_work_are_handled_after_its_lease(
    server: BotApiServer, tmp_path: Path
) -> None:
    settings = quick_leases(server, tmp_path)
    await seed_database(settings)
    asha, bilal = server.user(1001, first_name="Asha"), server.user(1002, first_name="Bilal")
    await send_three(asha)
    await send_three(bilal)
    async with storing_only(settings, server) as inbox:
        pass
    await inbox.claim(Lease("died-mid-work", SystemClock().now(), timedelta(seconds=1), 10))

    async with polling(settings):
        await asyncio.gather(answered_in_order(asha), answered_in_order(bilal))


async def test_a_redelivered_update_is_handled_once(
    server: BotApiServer, settings: Settings, customer: SandboxUser
) -> None:
    await seed_database(settings)
    await customer.send("/help")
    engine = make_engine(settings.database_url)
    try:  # an instance stored it, then died before its next getUpdates acknowledged it
        async with telegram_bot(settings) as bot:
            stored = await Intake(SqlInbox(make_sessionmaker(engine)), SystemClock()).take(
                [arrival(update.to_dict()) for update in await bot.get_updates(timeout=0)])
    finally:
        await engine.dispose()
    assert len(stored) == 1 and len(server.pending_updates) == 1  # Telegram sends it again

    async with polling(settings):
        await acknowledged(server)
        await customer.wait_for_text(HELP, timeout=WAIT)
        await customer.send("/start")
        await customer.wait_for_text(GREETING, timeout=WAIT)
    assert [HELP in m.content for m in customer.bot_messages] == [True, False]


async def test_a_message_too_old_to_act_on_is_answered_please_try_again(
    settings: Settings, customer: SandboxUser, uows: Uows
) -> None:
    await seed_database(settings)
    async with polling(settings, clock=Ahead(timedelta(minutes=10))):
        await customer.send("/start")
        reply = await customer.wait_for_new(timeout=WAIT)
    assert reply.text == texts.TRY_AGAIN
    async with uows() as uow:  # /start registers a customer: not this time
        assert await uow.customers.get(UserId(customer.id)) is None


async def test_a_press_stored_long_ago_is_answered_please_try_again_and_not_acted_on(
    server: BotApiServer, settings: Settings, customer: SandboxUser, uows: Uows
) -> None:
    await seed_database(settings)
    async with polling(settings):
        await open_menu(customer)
        await add_dishes(customer, "➕ Pizza · ₹250.00")
        await checkout_to_summary(customer)
    place = await customer.press(texts.PLACE_BUTTON)
    async with storing_only(settings, server):
        pass

    async with polling(settings, clock=Ahead(timedelta(minutes=10))):
        answer = await customer.wait_for_answer(place, timeout=WAIT)
        message = await customer.wait_for_new(timeout=WAIT)
    assert (answer.text, message.text) == (texts.TRY_AGAIN_ALERT, texts.TRY_AGAIN)
    assert await order_count(uows) == 0
