"""The jobs wake when the bot commits work, through the real bot and the local Bot API server.

Their fallback look is half a minute, past every deadline here: what arrives in time arrived
because a commit woke the job, or because the job slept until the due time it had read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.context import AppType, Services
from bot.settings import Settings
from domain.messages import Notification, OfferExpired
from domain.orders import OrderStatus
from sandbox import BotApiServer, SandboxUser
from storage.db import make_engine, make_sessionmaker
from storage.rows import OutboxRow
from storage.uow import SqlUnitOfWork, uow_factory
from tests.e2e.conftest import e2e_settings
from tests.e2e.journey import eventually, order_pizza, say

FALLBACK_S = 30.0
WITHIN_S = 10.0  # generous on a shared machine, and still a third of the fallback look


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, queue_interval_s=FALLBACK_S,
                        outbox_interval_s=FALLBACK_S, retry_base_delay_s=0.1)


@pytest.fixture
async def bots_uows(bot: AppType, settings: Settings) -> AsyncIterator[
        Callable[[], SqlUnitOfWork]]:
    """Units of work whose commits wake the running bot's jobs, as its handlers' do."""
    services = bot.bot_data["services"]
    assert isinstance(services, Services)
    engine = make_engine(settings.database_url)
    yield uow_factory(make_sessionmaker(engine), wakes=services.wakeup)
    await engine.dispose()


async def test_a_placed_order_is_confirmed_and_its_customer_told_before_the_fallback_look(
    bot: AppType, customer: SandboxUser
) -> None:
    tracking = await order_pizza(customer)
    await customer.wait_for(
        lambda m: m.message_id == tracking.message_id
        and texts.status(OrderStatus.PREPARING) in m.content, timeout=WITHIN_S)
    await customer.wait_for(lambda m: "finding a delivery partner" in m.content,
                            timeout=WITHIN_S)


async def test_a_message_that_failed_goes_again_at_its_retry_time_not_at_the_fallback_look(
    server: BotApiServer, bots_uows: Callable[[], SqlUnitOfWork], customer: SandboxUser
) -> None:
    await say(customer, "/start", "Foodbot")  # a chat the bot may write to
    server.fail_next("sendMessage", 1, code=502, chat_id=customer.id)
    async with bots_uows() as uow:
        await uow.outbox.add(Notification(customer.id, OfferExpired(7)), datetime.now(UTC))
        await uow.commit()
    shown = await customer.wait_for(lambda m: "ran out" in m.content, timeout=WITHIN_S)
    assert shown.content == texts.offer_expired(OfferExpired(7))

    async def sent() -> OutboxRow | None:
        async with bots_uows() as uow:
            row = (await uow.session.execute(select(OutboxRow))).scalar_one()
        return row if row.sent_at is not None else None

    row = await eventually(sent)
    assert row.attempts == 2 and "Bad Gateway" in (row.last_error or ""), row.last_error
