"""An admin's /cancelorder and its audit entry commit together or not at all (issue #10, item
12): a cancel that is refused, or beaten by another one, leaves no entry claiming it
happened; a cancel whose entry cannot be written does not happen either. On SQLite and,
with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.audit import AuditEntry
from domain.errors import NotAllowed
from domain.ids import OrderId, UserId
from domain.messages import Kind
from domain.orders import Actor, ActorKind, OrderStatus
from domain.pipeline.actions import Presses
from domain.pipeline.ports import StoreError
from domain.services.admin.orders import OrderAdmin
from storage.admin_repositories import admin_uow_factory
from storage.pipeline.store import SqlPipelineStore
from storage.rows import AuditRow
from tests.integration.builders import T0, FixedClock
from tests.integration.pipeline_kit import CUSTOMER, Kitchen, open_kitchen
from tests.scenes import move_order

S = OrderStatus
ADMIN = UserId(9001)
Sessions = async_sessionmaker[AsyncSession]


class RacedPresses(Presses):
    """The real presses, with something else happening to the order just before the admin's
    cancel reaches it (after the admin's service has looked at the order, if it does)."""

    def __init__(self, kitchen: Kitchen, meanwhile: Callable[[OrderId], Awaitable[None]]):
        super().__init__(SqlPipelineStore(kitchen.sessions), kitchen.clock)
        self._meanwhile = meanwhile

    async def cancel_order(self, order_id: OrderId, actor: Actor, reason: str = "", *,
                           audit: AuditEntry | None = None) -> bool:
        await self._meanwhile(order_id)
        return await super().cancel_order(order_id, actor, reason, audit=audit)


def desk(kitchen: Kitchen, meanwhile: Callable[[OrderId], Awaitable[None]]) -> OrderAdmin:
    return OrderAdmin(admin_uow_factory(kitchen.sessions), kitchen.clock,
                      RacedPresses(kitchen, meanwhile))


async def nothing(_: OrderId) -> None:
    return None


async def audited(sessions: Sessions) -> list[tuple[int, str, str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(AuditRow.actor, AuditRow.action, AuditRow.target, AuditRow.detail))
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def cancelled_notes(kitchen: Kitchen) -> int:
    return sum(m["kind"] == Kind.ORDER_CANCELLED for m in await kitchen.outbox())


async def test_a_cancel_commits_the_move_and_its_audit_entry_together(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    order_id = await kitchen.place()

    cancelled = await desk(kitchen, nothing).cancel_order(ADMIN, order_id, "Kitchen fire")

    assert cancelled.status == S.CANCELLED
    assert await kitchen.statuses(order_id) == [S.CREATED, S.CANCELLED]
    assert await audited(session_factory) == [
        (ADMIN, "cancel_order", f"order #{order_id}", "Kitchen fire")]


async def test_a_cancel_beaten_by_the_customers_own_is_refused_and_not_audited(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    order_id = await kitchen.place()

    async def customer_cancels(order: OrderId) -> None:
        await kitchen.actions.cancel_order(order, Actor(ActorKind.CUSTOMER, CUSTOMER), "")

    with pytest.raises(NotAllowed, match=f"order #{order_id} is cancelled already"):
        await desk(kitchen, customer_cancels).cancel_order(ADMIN, order_id, "Kitchen fire")

    history = await kitchen.history(order_id)
    assert [(e.to_status, e.actor.kind) for e in history] == [
        (S.CREATED, ActorKind.CUSTOMER), (S.CANCELLED, ActorKind.CUSTOMER)]
    assert await audited(session_factory) == []


async def test_a_cancel_of_an_order_delivered_meanwhile_is_refused_and_not_audited(
    session_factory: Sessions, clock: FixedClock
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    order_id = await kitchen.place()
    [rider] = await kitchen.add_partners(1)

    async def delivered(order: OrderId) -> None:
        async with session_factory() as session, session.begin():
            await move_order(session, order, S.CONFIRMED, at=T0)
            await move_order(session, order, S.PREPARING, S.OUT_FOR_DELIVERY, S.DELIVERED,
                             at=T0, partner=rider)

    with pytest.raises(NotAllowed, match=f"order #{order_id} is delivered already"):
        await desk(kitchen, delivered).cancel_order(ADMIN, order_id, "Kitchen fire")

    assert (await kitchen.order(order_id))[0] == S.DELIVERED
    assert await audited(session_factory) == []


@pytest.fixture
async def audit_log_down(engine: AsyncEngine) -> AsyncIterator[None]:
    """Every insert into the audit log fails, as a full disk or a broken table would."""
    table = AuditRow.__tablename__
    if engine.dialect.name == "sqlite":
        setup = [f"CREATE TRIGGER audit_down BEFORE INSERT ON {table} "
                 "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"]
        teardown = ["DROP TRIGGER audit_down"]
    else:
        setup = ["CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS "
                 "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$",
                 f"CREATE TRIGGER audit_down BEFORE INSERT ON {table} "
                 "FOR EACH ROW EXECUTE FUNCTION audit_down()"]
        teardown = [f"DROP TRIGGER audit_down ON {table}", "DROP FUNCTION audit_down()"]
    async with engine.begin() as connection:
        for statement in setup:
            await connection.execute(text(statement))
    yield
    async with engine.begin() as connection:  # the PostgreSQL database outlives this test
        for statement in teardown:
            await connection.execute(text(statement))


async def test_a_cancel_whose_audit_entry_cannot_be_written_does_not_happen(
    session_factory: Sessions, clock: FixedClock, audit_log_down: None
) -> None:
    kitchen = await open_kitchen(session_factory, clock)
    order_id = await kitchen.place()

    with pytest.raises(StoreError, match="audit log unavailable"):
        await desk(kitchen, nothing).cancel_order(ADMIN, order_id, "Kitchen fire")

    assert await kitchen.statuses(order_id) == [S.CREATED]  # no move, no event
    assert await cancelled_notes(kitchen) == 0  # and nobody was told it was cancelled
