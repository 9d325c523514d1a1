"""Every aggregate survives a trip through the real database unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.cart import Cart, LineKey
from domain.customers import Customer
from domain.ids import MenuItemId, OrderId, RestaurantId, UserId
from domain.messages import Delivered, Notification
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from domain.restaurants import Restaurant, Unanswered
from domain.tasks import NewTask, TaskKind
from domain.views import TrackingMessage
from storage.rows import OutboxRow, TaskRow
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, OTHER_CUSTOMER, T0, Catalog, new_order, store_order

Uows = Callable[[], SqlUnitOfWork]
IST = timezone(timedelta(hours=5, minutes=30))


def assert_utc(moment: datetime | None) -> None:
    assert moment is not None
    assert moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(0)


async def test_restaurant_round_trips_and_saves_changes(uow_factory: Uows) -> None:
    async with uow_factory() as uow:
        added = await uow.restaurants.add(Restaurant(RestaurantId(0), "Spice Route", "Koramangala"))
        await uow.commit()
    assert added.id > 0
    changed = replace(added, is_open=False, prep_minutes=35, manager_chat_id=-100_123_456_789,
                      delivery_fee=3000, free_delivery_from=50000, min_order=20000,
                      answer_within_s=120, unanswered=Unanswered.ACCEPT)
    async with uow_factory() as uow:
        assert await uow.restaurants.get(added.id) == added
        await uow.restaurants.save(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.restaurants.get(added.id) == changed
        assert await uow.restaurants.get_by_name("Spice Route") == changed
        assert await uow.restaurants.get_by_name("Nowhere") is None
        assert [r.name for r in await uow.restaurants.list()] == ["Spice Route"]


async def test_menu_items_round_trip_and_come_by_category(
    uow_factory: Uows, catalog: Catalog
) -> None:
    async with uow_factory() as uow:
        assert await uow.menu.get(catalog.pizza.id) == catalog.pizza
        menu = await uow.menu.for_restaurant(catalog.restaurant.id)
        assert [item.category for item in menu] == ["Beverages", "Pizzas"]
        unknown = MenuItemId(999_999)
        found = await uow.menu.get_many([catalog.pizza.id, catalog.cola.id, unknown])
        assert found == {catalog.pizza.id: catalog.pizza, catalog.cola.id: catalog.cola}
        await uow.menu.save(replace(catalog.cola, available=False, price=6500))
        await uow.commit()
    async with uow_factory() as uow:
        cola = await uow.menu.get(catalog.cola.id)
    assert cola is not None
    assert (cola.available, cola.price) == (False, 6500)


async def test_customer_round_trips_and_saving_again_updates(uow_factory: Uows) -> None:
    meera = UserId(7_000_000_001)  # Telegram ids outgrow 32 bits
    async with uow_factory() as uow:
        await uow.customers.save(Customer(meera, "Meera"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.customers.get(meera) == Customer(meera, "Meera")
        await uow.customers.save(Customer(meera, "Meera K", "+91 99000 11111"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.customers.get(meera) == Customer(meera, "Meera K", "+91 99000 11111")
        assert await uow.customers.get(UserId(1)) is None


async def test_cart_round_trips_with_lines_in_the_order_added(
    uow_factory: Uows, catalog: Catalog
) -> None:
    cart = Cart(CUSTOMER)
    cart.add(catalog.cola)
    cart.add(catalog.pizza, 3)
    async with uow_factory() as uow:
        assert await uow.carts.get(CUSTOMER) == Cart(CUSTOMER)
        await uow.carts.save(cart)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.carts.get(CUSTOMER)
    assert stored == cart
    assert list(stored.quantities) == [catalog.cola.id, catalog.pizza.id]


async def test_saving_a_changed_cart_replaces_its_lines(
    uow_factory: Uows, catalog: Catalog
) -> None:
    cart = Cart(CUSTOMER)
    cart.add(catalog.pizza, 2)
    cart.add(catalog.cola)
    async with uow_factory() as uow:
        await uow.carts.save(cart)
        cart.remove(LineKey(catalog.pizza.id))
        await uow.carts.save(cart)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.carts.get(CUSTOMER)).quantities == {catalog.cola.id: 1}
        cart.clear()
        await uow.carts.save(cart)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.carts.get(CUSTOMER) == Cart(CUSTOMER)


async def test_partner_round_trips_with_aware_utc_times(
    uow_factory: Uows, catalog: Catalog
) -> None:
    partner = Partner(UserId(8_000_000_001), "Kiran", PartnerStatus.APPROVED)
    partner.go_online(T0.astimezone(IST))
    async with uow_factory() as uow:
        await uow.partners.save(partner)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.partners.get(partner.id)
        assert stored == partner
        assert stored is not None
        assert_utc(stored.idle_since)
        stored.take(OrderId(42))
        await uow.partners.save(stored)
        await uow.commit()
    async with uow_factory() as uow:
        assert [p.active_order_id for p in await uow.partners.list()] == [OrderId(42)]


async def test_order_round_trips_with_items_delivery_and_first_event(
    uow_factory: Uows, catalog: Catalog
) -> None:
    order = await store_order(uow_factory, new_order(catalog, T0, key="place:1001:1"))
    assert order.id > 0
    assert order.new_events == []
    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
        by_key = await uow.orders.get_by_idempotency_key("place:1001:1")
        history = await uow.orders.history(order.id)
    assert stored == order == by_key
    assert stored is not None
    assert stored.total.amount == 2 * 25000 + 6000
    assert_utc(stored.created_at)
    assert stored.created_at == T0
    [placed] = history
    assert (placed.order_id, placed.from_status, placed.to_status) == (order.id, None, "CREATED")
    assert str(placed.actor) == f"customer:{CUSTOMER}"
    assert_utc(placed.at)


async def test_an_order_view_names_restaurant_and_partner_with_rating_tracking_and_history(
    uow_factory: Uows, catalog: Catalog
) -> None:
    order = await store_order(uow_factory, new_order(catalog, T0))
    async with uow_factory() as uow:
        bare = await uow.orders.view(order)
    assert (bare.order, bare.restaurant_name, bare.partner_name, bare.rating, bare.tracking) \
        == (order, "Dominos", None, None, None)
    assert [e.to_status for e in bare.history] == ["CREATED"]

    partner = Partner(UserId(8_000_000_001), "Kiran", PartnerStatus.APPROVED)
    async with uow_factory() as uow:
        await uow.partners.save(partner)
        await uow.tracking.save(order.id, TrackingMessage(CUSTOMER, 555))
        await uow.ratings.add(order.id, 4, T0)
        await uow.commit()
    order.partner_id = partner.id
    async with uow_factory() as uow:
        full = await uow.orders.view(order)
    assert (full.restaurant_name, full.partner_name, full.rating, full.tracking) \
        == ("Dominos", "Kiran", 4, TrackingMessage(CUSTOMER, 555))


async def test_an_order_view_by_id_is_the_same_view_in_three_queries(
    uow_factory: Uows, catalog: Catalog, engine: AsyncEngine
) -> None:
    """What the tracking message is redrawn from at every status change: the order with its
    names, rating and tracking message in one query, then its items, then its history."""
    from sqlalchemy import event, update

    from storage.sql import ORDERS

    order = await store_order(uow_factory, new_order(catalog, T0))
    partner = Partner(UserId(8_000_000_001), "Kiran", PartnerStatus.APPROVED)
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    async with uow_factory() as uow:
        assert await uow.orders.view_of(OrderId(999_999)) is None
        statements.clear()
        bare = await uow.orders.view_of(order.id)
        assert (len(statements), bare) == (3, await uow.orders.view(order))
        await uow.partners.save(partner)
        await uow.tracking.save(order.id, TrackingMessage(CUSTOMER, 555))
        await uow.ratings.add(order.id, 4, T0)
        await uow.commit()
    async with engine.begin() as connection:
        await connection.execute(update(ORDERS).where(ORDERS.c.id == order.id)
                                 .values(partner_id=partner.id))
    order.partner_id = partner.id
    async with uow_factory() as uow:
        full = await uow.orders.view_of(order.id)
        assert full == await uow.orders.view(order)
    assert full is not None and (full.restaurant_name, full.partner_name, full.rating,
                                 full.tracking) == ("Dominos", "Kiran", 4,
                                                    TrackingMessage(CUSTOMER, 555))
    assert [item.name for item in full.order.items] == [item.name for item in order.items]


async def test_orders_for_a_customer_come_newest_first(uow_factory: Uows, catalog: Catalog) -> None:
    ids = [
        (await store_order(uow_factory, new_order(catalog, T0 + timedelta(minutes=n)))).id
        for n in range(3)
    ]
    await store_order(uow_factory, new_order(catalog, T0, customer=OTHER_CUSTOMER))
    async with uow_factory() as uow:
        latest = await uow.orders.for_customer(CUSTOMER, limit=2)
        assert await uow.orders.get(OrderId(999_999)) is None
    assert [o.id for o in latest] == [ids[2], ids[1]]
    assert all(o.status == OrderStatus.CREATED and len(o.items) == 2 for o in latest)


async def test_tasks_and_notifications_are_stored_pending(
    uow_factory: Uows, catalog: Catalog
) -> None:
    order = await store_order(uow_factory, new_order(catalog, T0))
    async with uow_factory() as uow:
        task_id = await uow.tasks.enqueue(
            NewTask(TaskKind.DISPATCH, order.id, T0.astimezone(IST), {"offer": [1, 2]})
        )
        await uow.outbox.add(Notification(CUSTOMER, Delivered(order.id)), T0)
        await uow.commit()
    async with uow_factory() as uow:
        task = (await uow.session.execute(select(TaskRow))).scalar_one()
        message = (await uow.session.execute(select(OutboxRow))).scalar_one()
    assert (task.id, task.kind, task.order_id, task.state, task.attempts) == (
        task_id, "dispatch", order.id, "pending", 0
    )
    assert task.payload == {"offer": [1, 2]}
    assert task.run_at == T0
    assert_utc(task.run_at)
    assert (message.chat_id, message.kind, message.payload) == (
        CUSTOMER, "delivered", {"order_id": order.id}
    )
    assert message.sent_at is None
    assert_utc(message.next_attempt_at)


async def test_naive_datetimes_are_refused(uow_factory: Uows, catalog: Catalog) -> None:
    naive = datetime(2025, 1, 6, 12, 0)
    with pytest.raises(StatementError, match="naive datetime"):
        async with uow_factory() as uow:
            await uow.outbox.add(Notification(CUSTOMER, Delivered(1)), naive)
