"""An admin's /cancelorder happens together with its audit entry or not at all (issue #10,
item 12), through the real bot: when the audit log cannot be written, the order is not
cancelled and nobody is told it was; once it can, the cancel goes through, audited."""

from __future__ import annotations

from sqlalchemy import func, select, text

from bot import texts
from bot.context import AppType
from domain.messages import Kind
from domain.orders import OrderStatus
from sandbox import SandboxUser
from storage.rows import AuditRow, OutboxRow
from tests.e2e.backends import settings  # noqa: F401
from tests.e2e.conftest import ADMIN
from tests.e2e.journey import TIMEOUT, Uows, order_pizza, say, stored_order
from tests.e2e.test_admin import new_id
from tests.e2e.test_admin_orders import audited

TABLE = AuditRow.__tablename__


async def break_the_audit_log(uows: Uows) -> None:
    """Every insert into the audit log fails from now on (the test's database is its own)."""
    async with uows() as uow:
        if uow.session.bind.dialect.name == "sqlite":
            await uow.session.execute(text(
                f"CREATE TRIGGER audit_down BEFORE INSERT ON {TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"))
        else:
            await uow.session.execute(text(
                "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$"))
            await uow.session.execute(text(
                f"CREATE TRIGGER audit_down BEFORE INSERT ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION audit_down()"))
        await uow.commit()


async def mend_the_audit_log(uows: Uows) -> None:
    on = "" if await dialect(uows) == "sqlite" else f" ON {TABLE}"
    async with uows() as uow:
        await uow.session.execute(text(f"DROP TRIGGER audit_down{on}"))
        await uow.commit()


async def dialect(uows: Uows) -> str:
    async with uows() as uow:
        return uow.session.bind.dialect.name


async def cancel_notes(uows: Uows) -> int:
    async with uows() as uow:
        return int((await uow.session.execute(
            select(func.count()).select_from(OutboxRow)
            .where(OutboxRow.kind == Kind.ORDER_CANCELLED.value))).scalar_one())


async def test_a_cancel_that_cannot_be_audited_does_not_happen_and_one_that_can_does(
    bot: AppType, admin: SandboxUser, customer: SandboxUser, uows: Uows
) -> None:
    order_id = new_id(await order_pizza(customer))
    await break_the_audit_log(uows)

    await say(admin, f"/cancelorder {order_id} Kitchen fire", texts.SORRY)

    assert (await stored_order(uows, order_id)).status == OrderStatus.CREATED
    assert await cancel_notes(uows) == 0  # the customer is not told of a cancel that failed
    assert await audited(uows, "cancel_order") == []

    await mend_the_audit_log(uows)
    await say(admin, f"/cancelorder {order_id} Kitchen fire", f"Cancelled order #{order_id}")

    await customer.wait_for(lambda m: f"Order #{order_id} has been cancelled" in m.content,
                            timeout=TIMEOUT)
    assert (await stored_order(uows, order_id)).status == OrderStatus.CANCELLED
    assert await audited(uows, "cancel_order") == [(ADMIN, f"order #{order_id}", "Kitchen fire")]
