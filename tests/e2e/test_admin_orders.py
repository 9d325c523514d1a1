"""Admins look at orders and cancel them, and look at and retry dead-lettered tasks (issue #6):
/allorders, /showorder, /cancelorder, /deadletters, /retry."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from bot import texts
from bot.admin import texts as admin_texts
from domain.orders import OrderStatus
from sandbox import SandboxUser
from storage.rows import AuditRow, TaskRow
from tests.e2e.conftest import ADMIN
from tests.e2e.fast_pipeline import no_flood_limits, ready_at_once, settings  # noqa: F401
from tests.e2e.journey import (
    TIMEOUT,
    Uows,
    advance,
    order_pizza,
    place_directly,
    press,
    refused,
    say,
    stored_order,
)
from tests.e2e.test_admin import new_id
from tests.e2e.test_partner_admin import approved_by_admin, offer_for


async def audited(uows: Uows, action: str) -> list[tuple[int, str, str]]:
    async with uows() as uow:
        rows = await uow.session.execute(
            select(AuditRow.actor, AuditRow.target, AuditRow.detail)
            .where(AuditRow.action == action))
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_an_admin_lists_orders_and_shows_one_with_its_history(
    bot: object, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    tracking = await order_pizza(customer)
    order_id = new_id(tracking)

    listed = await say(admin, "/allorders", "Latest")
    assert f"#{order_id} · Dominos · customer {customer.id} ·" in listed.content, listed.content
    assert "₹250.00" in listed.content
    await say(admin, "/allorders delivered", "No delivered orders yet.")

    shown = await say(admin, f"/showorder {order_id}", f"Order #{order_id}")
    assert "1 × Pizza — ₹250.00" in shown.content and "Total: ₹250.00" in shown.content
    assert f"Customer: {customer.id}" in shown.content
    assert "Address: 12 Residency Road, Bengaluru" in shown.content
    assert f"created · by customer:{customer.id}" in shown.content, shown.content
    await say(admin, "/showorder 999999", "There is no order #999999.")


async def test_cancelling_an_order_tells_the_customer_and_the_partner(
    bot: object, admin: SandboxUser, partner: SandboxUser, customer: SandboxUser, uows: Uows,
    ready_at_once: None,  # noqa: F811
) -> None:
    await approved_by_admin(admin, partner)
    await say(partner, "/online", "Online")
    tracking = await order_pizza(customer)
    order_id = new_id(tracking)
    offer = await offer_for(partner)
    await partner.press(texts.ACCEPT_OFFER_BUTTON, message_id=offer.message_id)
    await partner.wait_for_new(lambda m: "Pick up" in m.content, timeout=TIMEOUT)

    await say(admin, f"/cancelorder {order_id} Kitchen fire", f"Cancelled order #{order_id}")

    await customer.wait_for(lambda m: f"Order #{order_id} has been cancelled" in m.content
                            and "Kitchen fire" in m.content, timeout=TIMEOUT)
    await partner.wait_for(lambda m: f"Order #{order_id} has been cancelled" in m.content,
                           timeout=TIMEOUT)
    order = await stored_order(uows, order_id)
    assert order.status == OrderStatus.CANCELLED
    assert await audited(uows, "cancel_order") == [(ADMIN, f"order #{order_id}", "Kitchen fire")]
    shown = await say(admin, f"/showorder {order_id}", f"Order #{order_id}")
    assert f"→ cancelled · by admin:{ADMIN} · Kitchen fire" in shown.content, shown.content


async def test_a_finished_order_is_not_cancelled(
    bot: object, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    order = await place_directly(uows, customer.id)
    await advance(uows, order.id, OrderStatus.FAILED)

    await say(admin, f"/cancelorder {order.id} Too late", "cannot be cancelled")

    assert (await stored_order(uows, order.id)).status == OrderStatus.FAILED
    assert await audited(uows, "cancel_order") == []


async def task_row(uows: Uows, state: str, order_id: int | None = None) -> int:
    """A task as the queue leaves it, written straight to the database."""
    now = datetime.now(UTC)
    async with uows() as uow:
        new = await uow.session.execute(insert(TaskRow.__table__).values(
            kind="dispatch" if order_id else "bogus_kind", order_id=order_id, payload={},
            state=state, attempts=5, max_attempts=5, run_at=now, last_error="boom: it broke",
            created_at=now, updated_at=now, finished_at=now,
        ).returning(TaskRow.__table__.c.id))
        task_id = int(new.scalar_one())
        await uow.commit()
    return task_id


async def test_a_dead_letter_is_listed_and_retried_once(
    bot: object, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    await say(admin, "/deadletters", "No dead-lettered tasks")
    dead = await task_row(uows, "dead")

    listed = await say(admin, "/deadletters", "dead-lettered tasks")
    assert f"#{dead} · bogus_kind · no order · 5 attempts ·" in listed.content, listed.content
    assert "boom: it broke" in listed.content

    await say(admin, f"/retry {dead}", f"Task #{dead} (bogus_kind) is queued again")
    assert await audited(uows, "retry_task") == [(ADMIN, f"task #{dead}", "bogus_kind")]


async def test_retry_refuses_a_task_that_is_not_dead_or_whose_order_ended(
    bot: object, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    done = await task_row(uows, "done")
    await say(admin, f"/retry {done}", f"task #{done} is not dead-lettered")
    await say(admin, "/retry 999999", "There is no task #999999.")
    order = await place_directly(uows, customer.id)
    await advance(uows, order.id, OrderStatus.FAILED)
    dead = await task_row(uows, "dead", order.id)
    await say(admin, f"/retry {dead}", "cannot move again")

    assert await audited(uows, "retry_task") == []
    async with uows() as uow:
        state = await uow.session.execute(
            select(TaskRow.state).where(TaskRow.id == dead))
    assert state.scalar_one() == "dead"


async def test_stats_send_the_chart_as_a_photo_and_the_counts_as_text(
    bot: object, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    delivered = await place_directly(uows, customer.id)
    await advance(uows, delivered.id, OrderStatus.CONFIRMED, OrderStatus.PREPARING,
                  OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED, partner=(4001, "Ravi"))
    await place_directly(uows, customer.id)

    await admin.send("/stats")
    chart = await admin.wait_for_new(lambda m: m.photo_file_id is not None, timeout=TIMEOUT)
    text = await admin.wait_for(lambda m: "Last 7 days" in m.content, timeout=TIMEOUT)

    assert chart.photo_file_id
    today = text.content.split("Last 7 days")[0]
    for line in ("Today (UTC): 2 orders", "delivered 1", "Revenue: ₹250.00", "(1 deliveries)"):
        assert line in today, text.content
    assert "Last 7 days: 2 orders" in text.content
    assert "Partners online now: 1" in text.content


async def test_an_admin_pages_through_all_orders_and_a_stranger_cannot(
    bot: object, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    placed = [(await place_directly(uows, customer.id, "Pizza")).id for _ in range(23)]
    newest_first = [f"#{i} " for i in reversed(placed)]

    first = await say(admin, "/allorders", "orders")
    assert all(o in first.content for o in newest_first[:20])
    assert newest_first[20] not in first.content
    assert first.has_button(texts.NEXT_BUTTON) and not first.has_button(texts.PREVIOUS_BUTTON)
    second = await press(admin, texts.NEXT_BUTTON, newest_first[22], message_id=first.message_id)
    assert all(o in second.content for o in newest_first[20:])
    assert newest_first[19] not in second.content and not second.has_button(texts.NEXT_BUTTON)
    back = await press(admin, texts.PREVIOUS_BUTTON, newest_first[0],
                       message_id=first.message_id)
    assert (back.text, back.buttons) == (first.text, first.buttons)

    own = await say(customer, "/start", "Foodbot")  # the same button data from a customer
    answer = await refused(customer, data=f"aop:0:0:{placed[-1]}", message_id=own.message_id)
    assert answer.text == admin_texts.NOT_ADMIN


async def test_the_audit_pages_by_its_own_size(
    bot: object, admin: SandboxUser, uows: Uows
) -> None:
    async with uows() as uow:
        await uow.session.execute(insert(AuditRow), [
            {"at": datetime.now(UTC), "actor": ADMIN, "action": "set_price",
             "target": f"item #{n}", "detail": ""} for n in range(3)])
        await uow.commit()

    first = await say(admin, "/audit 2", "item #2")
    assert "item #1" in first.content and "item #0" not in first.content
    last = await press(admin, texts.NEXT_BUTTON, "item #0", message_id=first.message_id)
    assert "item #1" not in last.content and last.has_button(texts.PREVIOUS_BUTTON)
