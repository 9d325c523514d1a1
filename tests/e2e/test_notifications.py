"""The queue worker and the outbox sender, through the real bot and the local Bot API server."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.settings import Settings
from domain.messages import DropOffPin, Notification, Offer, OrderReady
from domain.orders import OrderStatus
from sandbox import BotApiServer, RateLimits, SandboxUser
from storage.rows import OutboxRow
from tests.e2e.conftest import e2e_settings
from tests.e2e.journey import TIMEOUT, Uows, eventually, order_pizza, say


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    # quick ticks, and a per-chat pace the local server enforces too (see each test)
    return e2e_settings(server, tmp_path, queue_interval_s=0.05, outbox_interval_s=0.05,
                        rate_limit_per_chat_per_s=4.0, retry_base_delay_s=0.1)


async def queue_notes(uows: Uows, *notes: tuple[int, int]) -> None:
    """Outbox rows as the pipeline writes them: (chat, order number) in this order."""
    async with uows() as uow:
        for chat_id, n in notes:
            await uow.outbox.add(Notification(chat_id, OrderReady(n)), datetime.now(UTC))
        await uow.commit()


def readies(user: SandboxUser) -> list[str]:
    return [m.content for m in user.bot_messages if "ready for pickup" in m.content]


async def outbox_rows(uows: Uows) -> list[OutboxRow]:
    async with uows() as uow:
        return list((await uow.session.execute(select(OutboxRow).order_by(OutboxRow.id)))
                    .scalars())


async def test_the_worker_confirms_a_placed_order_in_its_one_tracking_message(
    bot: object, customer: SandboxUser
) -> None:
    tracking = await order_pizza(customer)
    shown = await customer.wait_for(
        lambda m: m.message_id == tracking.message_id
        and texts.STATUS[OrderStatus.PREPARING] in m.content, timeout=TIMEOUT)
    assert shown.edited and "Confirmed" in shown.content
    # no new message repeats the status: the only other news is that a partner is being found
    later = [m.content for m in customer.bot_messages if m.message_id > tracking.message_id]
    assert all("finding a delivery partner" in text for text in later), later


async def test_every_message_arrives_once_and_in_order_despite_429s(
    bot: object, server: BotApiServer, uows: Uows, customer: SandboxUser,
    customer_2: SandboxUser,
) -> None:
    for user in (customer, customer_2):
        await say(user, "/start", "Foodbot")  # a chat the bot may write to
    server.set_limits(RateLimits(per_chat_per_s=4.0, per_chat_burst=1))
    server.fail_next("sendMessage", 2, code=429, retry_after=1)
    await queue_notes(uows, (customer.id, 1), (customer_2.id, 4), (customer.id, 2),
                      (customer_2.id, 5), (customer.id, 3), (customer_2.id, 6))

    for user, numbers in ((customer, (1, 2, 3)), (customer_2, (4, 5, 6))):
        await user.wait_until(lambda u=user: len(readies(u)) >= 3, timeout=TIMEOUT)
        assert readies(user) == [texts.order_ready(OrderReady(n)) for n in numbers]

    async def all_sent() -> list[OutboxRow] | None:
        rows = await outbox_rows(uows)
        return rows if all(row.sent_at is not None for row in rows) else None

    rows = await eventually(all_sent)
    assert len({(row.chat_id, row.message_id) for row in rows}) == 6, "each sent once"
    assert any(row.last_error and "RetryAfter" in row.last_error for row in rows), [
        (r.id, r.attempts, r.last_error) for r in rows]


async def test_a_blocked_users_message_is_given_up_and_the_others_still_arrive(
    bot: object, uows: Uows, customer: SandboxUser, customer_2: SandboxUser
) -> None:
    for user in (customer, customer_2):
        await say(user, "/start", "Foodbot")
    customer_2.block()
    await queue_notes(uows, (customer_2.id, 7), (customer.id, 8), (customer_2.id, 9))

    await customer.wait_until(lambda: len(readies(customer)) == 1, timeout=TIMEOUT)

    async def given_up() -> list[OutboxRow] | None:
        rows = [r for r in await outbox_rows(uows) if r.chat_id == customer_2.id]
        return rows if all(r.given_up_at is not None for r in rows) else None

    rows = await eventually(given_up)
    assert all("blocked" in (row.last_error or "") and row.sent_at is None for row in rows)
    assert readies(customer_2) == []


async def test_a_message_that_met_a_server_error_is_retried_and_arrives_once(
    bot: object, server: BotApiServer, uows: Uows, customer: SandboxUser
) -> None:
    await say(customer, "/start", "Foodbot")
    server.fail_next("sendMessage", 2, code=502)
    await queue_notes(uows, (customer.id, 10))

    await customer.wait_until(lambda: len(readies(customer)) == 1, timeout=TIMEOUT)

    async def settled() -> OutboxRow | None:
        [row] = await outbox_rows(uows)
        return row if row.sent_at is not None else None

    row = await eventually(settled)
    assert row.attempts == 3 and "NetworkError" in (row.last_error or "")
    assert readies(customer) == [texts.order_ready(OrderReady(10))]


async def test_a_message_that_cannot_be_rendered_is_logged_as_an_error_and_the_admins_hear(
    bot: object, uows: Uows, customer: SandboxUser, admin: SandboxUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    for user in (customer, admin):
        await say(user, "/start", "Foodbot")
    now = datetime.now(UTC)
    async with uows() as uow:  # a row no version of the code could have written
        uow.session.add(OutboxRow(chat_id=customer.id, kind="delivered",
                                  payload={"order_id": "seven"}, created_at=now,
                                  next_attempt_at=now, attempts=0))
        await uow.commit()
    await queue_notes(uows, (customer.id, 11))  # the chat's next message waits behind it

    alert = await admin.wait_for_new(lambda m: "Unexpected error" in m.text, timeout=TIMEOUT)
    assert "MalformedMessage" in alert.text and "outbox sender" in alert.text

    async def recorded() -> OutboxRow | None:
        row = (await outbox_rows(uows))[0]
        return row if row.last_error else None

    row = await eventually(recorded)
    assert "order_id" in (row.last_error or "") and row.sent_at is None
    assert [r for r in caplog.records
            if r.levelno == logging.ERROR and "cannot be rendered" in r.getMessage()]
    assert not [m for m in customer.bot_messages if "delivered" in m.content]


async def test_an_offers_map_pin_that_met_a_429_is_sent_later_and_the_offer_only_once(
    bot: object, server: BotApiServer, uows: Uows, partner: SandboxUser,
) -> None:
    await say(partner, "/start", "Foodbot")
    server.fail_next("sendLocation", 1, code=429, retry_after=1)
    now = datetime.now(UTC)
    async with uows() as uow:
        offer = Offer(12, "Dominos", "MG Road", "12 Residency Road", 50000, "INR", now)
        await uow.outbox.add(Notification(partner.id, offer), now)
        await uow.outbox.add(Notification(partner.id, DropOffPin(12, 12.97, 77.59)), now)
        await uow.commit()

    pin = await partner.wait_for_new(lambda m: m.location is not None, timeout=TIMEOUT)
    assert (pin.location.latitude, pin.location.longitude) == (12.97, 77.59)  # type: ignore[union-attr]
    offers = [m for m in partner.bot_messages if "New delivery: order #12" in m.text]
    assert len(offers) == 1 and offers[0].message_id < pin.message_id

    async def all_sent() -> list[OutboxRow] | None:
        rows = await outbox_rows(uows)
        return rows if all(row.sent_at is not None for row in rows) else None

    [offer_row, pin_row] = await eventually(all_sent)
    assert offer_row.attempts == 1
    assert pin_row.attempts == 2 and "RetryAfter" in (pin_row.last_error or "")
