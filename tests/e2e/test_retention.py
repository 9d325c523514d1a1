"""The retention job in the running bot (domain/retention.py): at start it deletes the messages
and drafts that served their purpose long ago and scrubs the phone and spot of an order long
delivered, while it keeps what is young and every order; the bot goes on answering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from bot.settings import Settings
from bot.wiring import polling, seed_database
from domain.orders import OrderStatus
from sandbox import SandboxUser
from storage.sql import CHECKOUTS, ORDERS, OUTBOX, TASKS
from tests.e2e.conftest import Still
from tests.e2e.journey import Uows, eventually, order_pizza, say

WITHIN_S = 10.0


async def test_the_bot_sweeps_what_served_its_purpose_and_keeps_the_rest(
    settings: Settings, uows: Uows, customer: SandboxUser
) -> None:
    await seed_database(settings)
    now = datetime.now(UTC)
    old, young = now - timedelta(days=settings.retention_days + 1), now - timedelta(days=1)
    async with polling(settings, wakeup=Still(settings)):
        tracking = await order_pizza(customer)  # a real order, with the customer's number
        order_id = int(tracking.content.split("Order #")[1].split()[0])
    async with uows() as uow:
        session = uow.session
        await session.execute(insert(OUTBOX), [
            {"chat_id": customer.id, "kind": "order_ready", "payload": {}, "created_at": at,
             "next_attempt_at": at, "sent_at": at} for at in (old, old, young)])
        await session.execute(update(CHECKOUTS).values(updated_at=old))
        await session.execute(update(ORDERS).where(ORDERS.c.id == order_id).values(
            status=OrderStatus.DELIVERED.value, phone="+91 98450 12345", latitude=12.97,
            longitude=77.6, updated_at=now - timedelta(days=settings.contacts_keep_days + 1)))
        await session.execute(update(TASKS).where(TASKS.c.order_id == order_id)
                              .values(state="done", finished_at=young))  # its work is over
        await uow.commit()

    async def swept() -> bool | None:
        async with uows() as uow:
            stale = await uow.session.scalar(select(func.count()).select_from(OUTBOX)
                                             .where(OUTBOX.c.sent_at < young))
            phone = await uow.session.scalar(select(ORDERS.c.phone)
                                             .where(ORDERS.c.id == order_id))
            return True if stale == 0 and phone is None else None

    async with polling(settings, wakeup=Still(settings)):  # a restart: the job runs at once
        await eventually(swept, within=WITHIN_S)
        await say(customer, "/orders", f"#{order_id}")  # the order stays, and is shown
    async with uows() as uow:
        kept = await uow.session.scalar(select(func.count()).select_from(OUTBOX)
                                        .where(OUTBOX.c.sent_at == young))
        drafts = await uow.session.scalar(select(func.count()).select_from(CHECKOUTS))
        order = await uow.orders.get(order_id)  # type: ignore[arg-type]
    assert kept == 1 and drafts == 0
    assert order is not None and order.delivery.latitude is None
    assert order.delivery.address and order.total.amount > 0
