"""People's data on the real database (storage/people.py): an erasure on PostgreSQL and SQLite
alike keeps the orders, anonymised, and leaves nothing that names the customer."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import insert, select

from domain.ids import UserId
from domain.messages import Notification, OrderReady
from domain.orders import OrderStatus
from domain.people import PersonalData, StillActive
from storage.people import ERASED, SqlPersonalData
from storage.rows import Base
from storage.sql import CHAT_LANGUAGES
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, T0, Catalog, FixedClock, new_order, store_order
from tests.scenes import move_order

Uows = Callable[[], SqlUnitOfWork]


async def test_an_erased_customer_leaves_anonymous_orders_and_nothing_that_names_them(
    uow_factory: Uows, session_factory: object, catalog: Catalog
) -> None:
    people = PersonalData(SqlPersonalData(session_factory), FixedClock(T0))  # type: ignore[arg-type]
    order = await store_order(uow_factory, new_order(catalog, T0))
    async with uow_factory() as uow:
        await uow.outbox.add(Notification(999, OrderReady(order.id)), T0)
        await uow.session.execute(insert(CHAT_LANGUAGES).values(chat_id=CUSTOMER, language="hi",
                                                                updated_at=T0))
        await uow.commit()
    assert {"customer", "orders", "order_items", "language"} <= set(await people.export(CUSTOMER))

    with pytest.raises(StillActive):
        await people.forget(UserId(CUSTOMER))
    async with uow_factory() as uow:
        await move_order(uow.session, order.id, OrderStatus.CANCELLED, at=T0)
        await uow.commit()
    forgotten = await people.forget(UserId(CUSTOMER))

    assert forgotten.orders == 1
    async with uow_factory() as uow:
        kept = await uow.orders.get(order.id)
        left = [str(value) for table in Base.metadata.sorted_tables
                for row in (await uow.session.execute(select(table))).all() for value in row]
    assert kept is not None and kept.customer_id == -order.id
    assert (kept.delivery.address, kept.delivery.phone, kept.delivery.note) == (ERASED, None, "")
    assert kept.total == order.total and kept.status == OrderStatus.CANCELLED
    naming = re.compile(rf"(?<!\d){CUSTOMER}(?!\d)|Asha|Residency|98450")
    assert not [value for value in left if naming.search(value)]
    assert await people.export(CUSTOMER) == {}
