"""The queue worker and the outbox sender, through the real bot and the local Bot API server."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.settings import Settings
from domain.ids import UserId
from domain.messages import (
    DropOffPin,
    FindingPartner,
    Notification,
    Offer,
    OfferExpired,
    OrderReady,
    OutForDelivery,
)
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from sandbox import BotApiServer, RateLimits, SandboxUser
from storage.rows import OfferRow, OutboxRow
from tests.e2e.conftest import e2e_settings
from tests.e2e.journey import TIMEOUT, Uows, advance, eventually, order_pizza, place_directly, say


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    # quick ticks, and a per-chat pace the local server enforces too (see each test)
    return e2e_settings(server, tmp_path, queue_interval_s=0.05, outbox_interval_s=0.05,
                        rate_limit_per_chat_per_s=4.0, retry_base_delay_s=0.1)


async def queue_notes(uows: Uows, *notes: tuple[int, int]) -> None:
    """Outbox rows as the pipeline writes them: (chat, order number) in this order."""
    async with uows() as uow:
        for chat_id, n in notes:
            await uow.outbox.add(Notification(chat_id, OfferExpired(n)), datetime.now(UTC))
        await uow.commit()


def readies(user: SandboxUser) -> list[str]:
    """The notes `queue_notes` wrote, as they arrived (a kind that is never stale)."""
    return [m.content for m in user.bot_messages if "ran out" in m.content]


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
        and texts.status(OrderStatus.PREPARING) in m.content, timeout=TIMEOUT)
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
        assert readies(user) == [texts.offer_expired(OfferExpired(n)) for n in numbers]

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
    assert readies(customer) == [texts.offer_expired(OfferExpired(10))]


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
    order = await place_directly(uows, 1001, "Pizza")
    await advance(uows, order.id, OrderStatus.CONFIRMED, OrderStatus.PREPARING)
    server.fail_next("sendLocation", 1, code=429, retry_after=1)
    now = datetime.now(UTC)
    async with uows() as uow:
        await uow.partners.save(Partner(UserId(partner.id), "Ravi", PartnerStatus.APPROVED,
                                        online=True))
        uow.session.add(OfferRow(order_id=order.id, partner_id=partner.id, state="open",
                                 offered_at=now, expires_at=now + timedelta(minutes=1)))
        offer = Offer(order.id, "Dominos", "MG Road", "12 Residency Road", 50000, "INR", now)
        await uow.outbox.add(Notification(partner.id, offer), now)
        await uow.outbox.add(Notification(partner.id, DropOffPin(order.id, 12.97, 77.59)), now)
        await uow.commit()

    pin = await partner.wait_for_new(lambda m: m.location is not None, timeout=TIMEOUT)
    assert (pin.location.latitude, pin.location.longitude) == (12.97, 77.59)  # type: ignore[union-attr]
    offers = [m for m in partner.bot_messages if f"New delivery: order #{order.id}" in m.text]
    assert len(offers) == 1 and offers[0].message_id < pin.message_id

    async def all_sent() -> list[OutboxRow] | None:
        rows = await outbox_rows(uows)
        return rows if all(row.sent_at is not None for row in rows) else None

    [offer_row, pin_row] = await eventually(all_sent)
    assert offer_row.attempts == 1
    assert pin_row.attempts == 2 and "RetryAfter" in (pin_row.last_error or "")


async def test_messages_the_order_has_overtaken_are_not_sent_and_say_why(
    bot: object, uows: Uows, customer: SandboxUser, partner: SandboxUser,
) -> None:
    for user in (customer, partner):
        await say(user, "/start", "Foodbot")
    order = await place_directly(uows, customer.id, "Pizza")
    await advance(uows, order.id, OrderStatus.CONFIRMED, OrderStatus.PREPARING,
                  OrderStatus.OUT_FOR_DELIVERY, partner=(2999, "Kiran"))  # someone else has it
    now = datetime.now(UTC)
    late = [  # written while the order was still looking for a partner, sent only now
        (partner.id, Offer(order.id, "Dominos", "MG Road", "12 Residency Road", 50000, "INR",
                           now)),
        (partner.id, DropOffPin(order.id, 12.97, 77.59)),
        (partner.id, OrderReady(order.id)),
        (customer.id, FindingPartner(order.id)),
        (customer.id, OutForDelivery(order.id)),  # still true: this one goes out
    ]
    async with uows() as uow:
        for chat_id, message in late:
            await uow.outbox.add(Notification(chat_id, message), now)
        await uow.commit()

    await customer.wait_for_new(lambda m: "on its way to you" in m.text, timeout=TIMEOUT)

    async def settled() -> list[OutboxRow] | None:
        rows = await outbox_rows(uows)
        done = all(r.sent_at is not None or r.given_up_at is not None for r in rows)
        return rows if done and len(rows) == len(late) else None

    rows = await eventually(settled)
    assert [(r.kind, r.sent_at is not None) for r in rows] == [
        ("offer", False), ("drop_off_pin", False), ("order_ready", False),
        ("finding_partner", False), ("out_for_delivery", True)]
    assert all((r.last_error or "").startswith("stale: ") for r in rows[:4])
    assert not [m for m in partner.bot_messages if f"#{order.id}" in m.text or m.location]
    assert not [m for m in customer.bot_messages if "finding a delivery partner" in m.text]
