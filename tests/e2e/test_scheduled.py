"""Scheduled orders through the real bot (issue 14): 🗓 Deliver later on the summary lists the
delivery times; the order placed for one waits, its tracking message saying when the kitchen
starts, and the queue starts it then — on a clock the test moves — sending the kitchen its
ticket. A scheduled order cancelled before it starts never reaches the kitchen."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import texts
from bot.app import AppType
from bot.settings import Settings
from bot.wiring import polling, seed_database
from domain.orders import OrderStatus
from sandbox import BotApiServer, ChatMessage, SandboxUser
from storage.sql import TASKS
from tests.e2e.conftest import e2e_settings
from tests.e2e.fast_pipeline import no_flood_limits  # noqa: F401  (fixtures)
from tests.e2e.journey import (
    TIMEOUT,
    Uows,
    add_dishes,
    checkout_to_summary,
    eventually,
    open_menu,
    press,
    say,
    stored_order,
)
from tests.e2e.test_partners import order_id_of

IST = ZoneInfo("Asia/Kolkata")


@dataclass
class Dial:
    """The bot's clock: real time, moved on by the test."""

    ahead: timedelta = field(default=timedelta())

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    def move_to(self, moment: datetime) -> None:
        self.ahead = max(self.ahead, moment - datetime.now(UTC) + timedelta(seconds=1))


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path) -> Settings:
    return e2e_settings(server, tmp_path, queue_interval_s=0.05, outbox_interval_s=0.05,
                        rate_limit_per_chat_per_s=20.0)


@pytest.fixture
def dial() -> Dial:
    return Dial()


@pytest.fixture
async def bot(settings: Settings, dial: Dial) -> AsyncIterator[AppType]:
    await seed_database(settings)
    async with polling(settings, clock=dial) as app:
        yield app


async def scheduled_order(customer: SandboxUser) -> tuple[ChatMessage, datetime]:
    """A pizza for the third delivery time offered; the tracking message, and that time."""
    await open_menu(customer)
    await add_dishes(customer, "➕ Pizza · ₹250.00")
    summary = await checkout_to_summary(customer)
    assert "🕒 Delivery in about 40 min" in summary.content
    page = await press(customer, texts.LATER_BUTTON, "When should it arrive?",
                       message_id=summary.message_id)
    times = [b for b in page.buttons if re.fullmatch(r"\d\d:\d\d", b)]
    if len(times) < 3:  # late in the evening: tomorrow's times
        page = await press(customer, texts.day_button(1), "Tomorrow,", message_id=page.message_id)
        times = [b for b in page.buttons if re.fullmatch(r"\d\d:\d\d", b)]
    assert len(times) >= 3 and "starts on it about 40 min before" in page.content
    day = 0 if page.content.splitlines()[1].startswith("Today") else 1
    hours, minutes = map(int, times[2].split(":"))
    local_day = datetime.now(IST).date() + timedelta(days=day)
    slot = datetime(local_day.year, local_day.month, local_day.day, hours, minutes, tzinfo=IST)
    shown = await press(customer, times[2], "🗓 Scheduled: delivery at", message_id=page.message_id)
    assert f"{slot:%a %d %b %H:%M} IST" in shown.content
    tracking = await press(customer, texts.PLACE_BUTTON, "Order #", message_id=shown.message_id)
    return tracking, slot.astimezone(UTC)


async def test_a_scheduled_order_starts_at_its_time_and_reaches_the_kitchen_then(
    bot: object, dial: Dial, customer: SandboxUser, manager: SandboxUser, uows: Uows,
) -> None:
    tracking, slot = await scheduled_order(customer)
    starts = slot - timedelta(minutes=40)
    assert f"kitchen starts on it at {starts.astimezone(IST):%H:%M} IST" in tracking.content
    assert f"Expected by {slot.astimezone(IST):%H:%M} IST" in tracking.content
    order = await stored_order(uows, order_id_of(tracking))
    assert (order.status, order.scheduled_for) == (OrderStatus.CREATED, slot)
    async with uows() as uow:
        runs = (await uow.session.execute(select(TASKS.c.run_at))).scalars().all()
    assert runs == [starts]

    dial.move_to(starts)

    ticket = await manager.wait_for(lambda m: m.has_button(texts.TICKET_ACCEPT_BUTTON),
                                    timeout=TIMEOUT)
    assert f"New order #{order.id}" in ticket.content and "1 × Pizza" in ticket.content
    await customer.wait_for(lambda m: m.message_id == tracking.message_id
                            and texts.status(OrderStatus.CONFIRMED) in m.content,
                            timeout=TIMEOUT)


async def test_a_scheduled_order_cancelled_before_it_starts_never_reaches_the_kitchen(
    bot: object, dial: Dial, customer: SandboxUser, manager: SandboxUser, uows: Uows,
) -> None:
    tracking, slot = await scheduled_order(customer)
    await press(customer, texts.CANCEL_ORDER_BUTTON, "Cancel order #",
                message_id=tracking.message_id)
    await press(customer, texts.CANCEL_YES_BUTTON, texts.status(OrderStatus.CANCELLED))

    dial.move_to(slot - timedelta(minutes=40))

    async def worked() -> bool | None:
        async with uows() as uow:
            states = (await uow.session.execute(select(TASKS.c.state))).scalars().all()
        return True if states and all(state != "pending" for state in states) else None

    await eventually(worked)
    assert not any(m.has_button(texts.TICKET_ACCEPT_BUTTON) for m in manager.bot_messages)
    assert (await stored_order(uows, order_id_of(tracking))).status == OrderStatus.CANCELLED


async def test_closing_the_day_of_a_scheduled_order_cancels_it_at_once_and_tells_the_customer(
    bot: object, customer: SandboxUser, admin: SandboxUser, uows: Uows,
) -> None:
    tracking, slot = await scheduled_order(customer)
    async with uows() as uow:
        dominos = await uow.restaurants.get_by_name("Dominos")
    assert dominos is not None
    day = slot.astimezone(IST).date().isoformat()

    answer = await say(admin, f"/closed {dominos.id} {day}", "Closed days")

    order_id = order_id_of(tracking)
    assert f"Cancelled 1 scheduled order for a time it is now closed (#{order_id})" in (
        answer.content)
    told = await customer.wait_for_text("has been cancelled", timeout=TIMEOUT)
    assert "Dominos is closed at the time this order was scheduled for" in told.content
    assert (await stored_order(uows, order_id)).status == OrderStatus.CANCELLED
    again = await say(admin, f"/closed {dominos.id} {day}", "Closed days")  # nothing more
    assert "Cancelled" not in again.content
