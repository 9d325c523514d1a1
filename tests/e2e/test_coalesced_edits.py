"""Edits of the tracking message queued together cost one Telegram call (issue #12): the
first renders the order as it is, the ones behind it have nothing left to show."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.settings import Settings
from domain.messages import Notification, OrderStatusChanged
from domain.orders import OrderStatus
from sandbox import BotApiServer, SandboxUser
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


async def test_three_edits_queued_together_make_one_call_showing_the_last_move(
    bot: object, server: BotApiServer, customer: SandboxUser, uows: Uows
) -> None:
    tracking = await order_pizza(customer)
    order_id = int(tracking.text.split("Order #")[1].split()[0])
    async def settled() -> bool | None:
        return True if not await unsent(uows) else None

    await eventually(settled)
    edits: list[str] = []
    server.before_call(lambda method, chat_id: edits.append(method)
                       if method == "editmessagetext" and chat_id == customer.id else None)

    await advance(uows, order_id, S.CONFIRMED, S.PREPARING, partner=(2001, "Ravi Kumar"))
    async with uows() as uow:  # as three moves committed before the sender looks
        for status, previous in (("CONFIRMED", "CREATED"), ("PREPARING", "CONFIRMED"),
                                 ("PREPARING", "PREPARING")):
            note = OrderStatusChanged(order_id, status, previous)
            await uow.outbox.add(Notification(customer.id, note), datetime.now(UTC))
        await uow.commit()
    await eventually(settled)

    assert edits == ["editmessagetext"]
    shown = customer.message(tracking.message_id)
    assert shown is not None and "Being prepared" in shown.text
    async with uows() as uow:
        first, *rest = (await uow.session.execute(
            select(OutboxRow).order_by(OutboxRow.id.desc()).limit(3))).scalars().all()[::-1]
    assert first.sent_at is not None and first.given_up_at is None
    assert [(r.sent_at, r.last_error) for r in rest] == [
        (None, f"superseded: outbox {first.id} showed it")] * 2
