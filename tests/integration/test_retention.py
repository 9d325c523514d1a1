"""The retention sweep on the real database (domain/retention.py): what has served its purpose
goes once old, a batch at a time; what is still needed, or still young, stays; several
instances may sweep at once; each pick uses the index made for it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain import retention
from domain.ids import UserId
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.retention import Retention, RetentionPolicy, Swept
from storage.pipeline.sql import OFFERS
from storage.retention import SqlRetention, _statement
from storage.sql import CHECKOUTS, ORDERS, OUTBOX, RIDER_SPOTS, TASKS
from storage.uow import SqlUnitOfWork
from tests.integration.builders import (
    CUSTOMER,
    OTHER_CUSTOMER,
    T0,
    Catalog,
    FixedClock,
    new_order,
    store_order,
)
from tests.scenes import move_order

Uows = Callable[[], SqlUnitOfWork]
Sessions = async_sessionmaker[AsyncSession]
S = OrderStatus
POLICY = RetentionPolicy(keep=timedelta(days=30), contacts=timedelta(days=7))
NOW = T0 + timedelta(days=100)
OLD, YOUNG = NOW - timedelta(days=31), NOW - timedelta(days=29)  # for the rows kept 30 days
STALE, FRESH = NOW - timedelta(days=8), NOW - timedelta(days=6)  # for contacts (7 days)
RIDER = 7001


async def order_at(uows: Uows, catalog: Catalog, at: datetime, *moves: OrderStatus,
                   partner: UserId | None = None) -> int:
    order = await store_order(uows, new_order(catalog, at))
    async with uows() as uow:
        await move_order(uow.session, order.id, *moves, at=at, partner=partner)
        await uow.commit()
    return order.id


async def count(sessions: Sessions, table: object, *where: object) -> int:
    async with sessions() as session:
        stmt = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
        return int((await session.execute(stmt)).scalar_one())


async def test_a_sweep_deletes_what_served_its_purpose_and_keeps_the_rest(
    uow_factory: Uows, session_factory: Sessions, catalog: Catalog
) -> None:
    async with uow_factory() as uow:
        await uow.partners.save(Partner(UserId(RIDER), "Ravi", PartnerStatus.APPROVED))
        await uow.commit()
    old_done = await order_at(uow_factory, catalog, STALE, S.CONFIRMED, S.PREPARING,
                              S.OUT_FOR_DELIVERY, S.DELIVERED, partner=UserId(RIDER))
    young_done = await order_at(uow_factory, catalog, FRESH, S.CANCELLED)
    old_active = await order_at(uow_factory, catalog, OLD, S.CONFIRMED)  # a slow kitchen
    async with session_factory() as session, session.begin():
        await session.execute(insert(OUTBOX), [
            {"chat_id": 1, "kind": "order_ready", "payload": {}, "created_at": OLD,
             "next_attempt_at": OLD, "sent_at": sent, "given_up_at": given_up}
            for sent, given_up in ((OLD, None), (None, OLD), (YOUNG, None), (None, None))])
        await session.execute(insert(TASKS), [
            {"kind": "confirm", "payload": {}, "state": state, "run_at": OLD,
             "finished_at": at} for state, at in
            (("done", OLD), ("done", YOUNG), ("dead", OLD), ("pending", None))])
        await session.execute(insert(OFFERS), [
            {"order_id": order, "partner_id": RIDER, "state": state, "offered_at": OLD,
             "expires_at": OLD, "closed_at": closed} for order, state, closed in
            ((old_done, "expired", OLD), (young_done, "declined", YOUNG),
             (old_active, "open", None))])
        await session.execute(insert(CHECKOUTS), [
            {"customer_id": who, "step": "address", "updated_at": at}
            for who, at in ((CUSTOMER, OLD), (OTHER_CUSTOMER, YOUNG))])
        await session.execute(insert(RIDER_SPOTS), [
            {"order_id": order, "chat_id": CUSTOMER, "latitude": 12.9, "longitude": 77.6,
             "moved_at": STALE, "stopped": stopped}
            for order, stopped in ((old_done, True), (old_active, False))])
        await session.execute(update(ORDERS).values(updated_at=STALE)
                              .where(ORDERS.c.id.in_([old_done, old_active])))

    sweeper = Retention(SqlRetention(session_factory), FixedClock(NOW), POLICY)
    again = await sweeper.sweep()

    assert again == NOW + retention.EVERY and sweeper.last.done
    assert sweeper.last.counts == {Swept.MESSAGES: 2, Swept.TASKS: 1, Swept.OFFERS: 1,
                                   Swept.CHECKOUTS: 1, Swept.CONTACTS: 1, Swept.RIDER_SPOTS: 1}
    assert await count(session_factory, OUTBOX) == 2  # the young one sent, the unsent one
    assert await count(session_factory, TASKS, TASKS.c.state != "done") == 2  # dead, pending
    assert await count(session_factory, OFFERS) == 2
    assert await count(session_factory, CHECKOUTS, CHECKOUTS.c.customer_id == CUSTOMER) == 0
    async with uow_factory() as uow:
        scrubbed, young, active = [await uow.orders.get(order) for order in
                                   (old_done, young_done, old_active)]
    assert scrubbed is not None and young is not None and active is not None
    assert (scrubbed.delivery.phone, scrubbed.delivery.latitude) == (None, None)
    assert scrubbed.delivery.address == "12 Residency Road, Bengaluru"  # the order stays
    assert scrubbed.status == S.DELIVERED and len(scrubbed.items) == 2
    assert young.delivery.phone is not None and active.delivery.phone is not None
    assert await count(session_factory, RIDER_SPOTS) == 1  # the active order's

    await sweeper.sweep()
    assert sweeper.last.total == 0  # nothing left to sweep


async def test_a_run_sweeps_a_batch_at_a_time_and_runs_again_soon_while_rows_are_left(
    session_factory: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 3)
    monkeypatch.setattr(retention, "BATCHES_PER_RUN", 2)
    async with session_factory() as session, session.begin():
        await session.execute(insert(OUTBOX), [
            {"chat_id": n, "kind": "order_ready", "payload": {}, "created_at": OLD,
             "next_attempt_at": OLD, "sent_at": OLD} for n in range(10)])
    sweeper = Retention(SqlRetention(session_factory), FixedClock(NOW), POLICY)

    assert await sweeper.sweep() == NOW and sweeper.last.counts[Swept.MESSAGES] == 6
    assert await sweeper.sweep() == NOW + retention.EVERY
    assert sweeper.last.counts[Swept.MESSAGES] == 4
    assert await count(session_factory, OUTBOX) == 0


async def test_instances_sweeping_at_once_delete_each_row_once(
    session_factory: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 7)
    async with session_factory() as session, session.begin():
        await session.execute(insert(OUTBOX), [
            {"chat_id": n, "kind": "order_ready", "payload": {}, "created_at": OLD,
             "next_attempt_at": OLD, "sent_at": OLD} for n in range(200)])
    sweepers = [Retention(SqlRetention(session_factory), FixedClock(NOW), POLICY)
                for _ in range(3)]

    await asyncio.gather(*(sweeper.sweep() for sweeper in sweepers))

    assert sum(s.last.counts[Swept.MESSAGES] for s in sweepers) == 200
    assert await count(session_factory, OUTBOX) == 0


@pytest.mark.parametrize("kind", list(Swept))
async def test_each_pick_of_the_sweep_uses_its_index(engine: AsyncEngine, kind: Swept) -> None:
    """Never a scan of a whole table: a year of orders, messages or tasks stays cheap to sweep."""
    picked = _statement(kind, NOW, 10)
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SET enable_seqscan = off"))  # as on a big table
            plan = "\n".join((await connection.execute(
                text(f"EXPLAIN {_sql(picked, connection)}"))).scalars())
            assert "Seq Scan" not in plan, plan
        else:
            rows = (await connection.execute(
                text(f"EXPLAIN QUERY PLAN {_sql(picked, connection)}"))).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
            assert not any(line.startswith("SCAN") for line in plan.splitlines()), plan


def _sql(statement: object, connection: object) -> str:
    compiled = statement.compile(  # type: ignore[attr-defined]
        dialect=connection.dialect, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    return str(compiled)
