"""Edits of the tracking message queued together cost one Telegram call (issue #12): the
first renders the order as it is, the ones behind it have nothing left to show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.settings import Settings
from domain.messages import Notification, OrderStatusChanged, OutForDelivery
from domain.orders import OrderStatus
from sandbox import BotApiServer, ChatMessage, SandboxUser
from storage.rows import OutboxRow
from tests.e2e.conftest import STILL_S, e2e_settings
from tests.e2e.journey import Uows, advance, eventually, order_pizza

S = OrderStatus


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    # the test moves the order itself; the outbox looks often
    return e2e_settings(server, tmp_path, queue_interval_s=STILL_S, outbox_interval_s=0.05)


async def unsent(uows: Uows) -> list[OutboxRow]:
    async with uows() as uow:
        rows = await uow.session.execute(
            select(OutboxRow).where(OutboxRow.sent_at.is_(None), OutboxRow.given_up_at.is_(None)))
        return list(rows.scalars())


def sent_out(uows: Uows) -> Callable[[], Awaitable[bool | None]]:
    async def nothing_unsent() -> bool | None:
        return True if not await unsent(uows) else None
    return nothing_unsent


async def placed(customer: SandboxUser, uows: Uows) -> tuple[ChatMessage, int]:
    """An order placed through the chat, once what it sent has gone out; and its id."""
    tracking = await order_pizza(customer)
    await eventually(sent_out(uows))
    return tracking, int(tracking.text.split("Order #")[1].split()[0])


def calls_to(server: BotApiServer, customer: SandboxUser) -> list[str]:
    """The Bot API methods called for the customer's chat from now on, in order."""
    calls: list[str] = []
    server.before_call(lambda method, chat_id: calls.append(method)
                       if chat_id == customer.id else None)
    return calls


async def test_three_edits_queued_together_make_one_call_showing_the_last_move(
    bot: object, server: BotApiServer, customer: SandboxUser, uows: Uows
) -> None:
    tracking, order_id = await placed(customer, uows)
    calls = calls_to(server, customer)

    await advance(uows, order_id, S.CONFIRMED, S.PREPARING, partner=(2001, "Ravi Kumar"))
    async with uows() as uow:  # as three moves committed before the sender looks
        for status, previous in (("CONFIRMED", "CREATED"), ("PREPARING", "CONFIRMED"),
                                 ("PREPARING", "PREPARING")):
            note = OrderStatusChanged(order_id, status, previous)
            await uow.outbox.add(Notification(customer.id, note), datetime.now(UTC))
        await uow.commit()
    await eventually(sent_out(uows))

    assert calls == ["editmessagetext"]
    shown = customer.message(tracking.message_id)
    assert shown is not None and "Being prepared" in shown.text
    async with uows() as uow:
        first, *rest = (await uow.session.execute(
            select(OutboxRow).order_by(OutboxRow.id.desc()).limit(3))).scalars().all()[::-1]
    assert first.sent_at is not None and first.given_up_at is None
    assert [(r.sent_at, r.last_error) for r in rest] == [
        (None, f"superseded: outbox {first.id} showed it")] * 2


async def test_the_tracking_message_sent_anew_shows_the_edits_behind_it_and_takes_the_next(
    bot: object, server: BotApiServer, customer: SandboxUser, uows: Uows
) -> None:
    tracking, order_id = await placed(customer, uows)
    calls = calls_to(server, customer)
    await advance(uows, order_id, S.CONFIRMED, S.PREPARING, S.OUT_FOR_DELIVERY,
                  partner=(2001, "Ravi Kumar"))
    async with uows() as uow:  # picked up, and then two edits, before the sender looks
        for note in (OutForDelivery(order_id),
                     OrderStatusChanged(order_id, "OUT_FOR_DELIVERY", "OUT_FOR_DELIVERY"),
                     OrderStatusChanged(order_id, "OUT_FOR_DELIVERY", "OUT_FOR_DELIVERY")):
            await uow.outbox.add(Notification(customer.id, note), datetime.now(UTC))
        await uow.commit()
    await eventually(sent_out(uows))

    assert calls == ["sendmessage"]  # one call: the message sent anew showed the edits
    anew = customer.bot_messages[-1]
    assert anew.text.startswith(f"🛵 Order #{order_id} is on its way to you!")
    assert "On the way" in anew.text and "Ravi Kumar" in anew.text
    before = customer.message(tracking.message_id)
    assert before is not None and "On the way" not in before.text  # left as it was
    async with uows() as uow:
        *_, sent, first, second = (await uow.session.execute(
            select(OutboxRow).order_by(OutboxRow.id))).scalars().all()
    assert sent.message_id == anew.message_id
    assert [r.last_error for r in (first, second)] == [
        f"superseded: outbox {sent.id} showed it"] * 2

    async with uows() as uow:  # a redraw on the way (a rider's new ETA) keeps the headline
        note = OrderStatusChanged(order_id, "OUT_FOR_DELIVERY", "OUT_FOR_DELIVERY")
        await uow.outbox.add(Notification(customer.id, note), datetime.now(UTC))
        await uow.commit()
    await eventually(sent_out(uows))
    assert calls == ["sendmessage", "editmessagetext"]
    assert customer.message(anew.message_id) == anew  # nothing to change

    await advance(uows, order_id, S.DELIVERED)  # an edit now goes to the new message
    async with uows() as uow:
        note = OrderStatusChanged(order_id, "DELIVERED", "OUT_FOR_DELIVERY")
        await uow.outbox.add(Notification(customer.id, note), datetime.now(UTC))
        await uow.commit()
    await eventually(sent_out(uows))
    assert calls == ["sendmessage", "editmessagetext", "editmessagetext"]
    shown = customer.message(anew.message_id)
    assert shown is not None and "Delivered" in shown.text and "How was it?" in shown.text
    assert shown.text.startswith(f"🎉 Order #{order_id} has been delivered.")
    first_card = customer.message(tracking.message_id)
    assert first_card is not None and "Delivered" not in first_card.text
