"""The reads and writes the chat makes on nearly every update run statements built once.

SQLAlchemy works out a statement's cache key by walking it, before it looks up the compiled
form; a statement built anew on every call pays that walk (and its construction) every time,
about as much CPU again as running it. A statement built once keeps its key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.cart import Cart
from domain.customers import Customer
from domain.ids import UserId
from domain.partners import Partner, PartnerStatus
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, T0, Catalog, new_order, store_order

Uows = Callable[[], SqlUnitOfWork]
PARTNER = UserId(8_000_000_001)


async def test_the_chats_hot_statements_are_the_same_objects_every_time(
    uow_factory: Uows, catalog: Catalog, engine: AsyncEngine
) -> None:
    order = await store_order(uow_factory, new_order(catalog, T0))
    async with uow_factory() as uow:
        await uow.partners.save(Partner(PARTNER, "Kiran", PartnerStatus.APPROVED))
        await uow.commit()
    run: list[Any] = []

    def seen(_connection: Any, statement: Any, *_args: Any) -> None:
        run.append(statement)

    async def a_round() -> list[Any]:
        """What the chat's screens read and write, as their services call it."""
        run.clear()
        async with uow_factory() as uow:
            await uow.customers.ensure(Customer(CUSTOMER, "Asha"))
            await uow.customers.get(CUSTOMER)
            await uow.restaurants.get(catalog.restaurant.id)
            await uow.menu.get(catalog.pizza.id)
            await uow.menu.get_many([catalog.pizza.id, catalog.cola.id])
            cart = await uow.carts.get(CUSTOMER)
            await uow.carts.save(Cart(CUSTOMER))  # emptied: the lines and the cart go
            cart = Cart(CUSTOMER)
            cart.add(catalog.pizza)
            await uow.carts.save(cart)
            await uow.checkouts.get(CUSTOMER)
            await uow.tracking.get(order.id)
            await uow.partners.get(PARTNER)
            await uow.orders.view_of(order.id)
            await uow.commit()
        return list(run)

    event.listen(engine.sync_engine, "before_execute", seen)
    try:
        first, second = await a_round(), await a_round()
    finally:
        event.remove(engine.sync_engine, "before_execute", seen)
    assert len(first) >= 15
    rebuilt = [str(a).split("\n")[0] for a, b in zip(first, second, strict=True) if a is not b]
    assert rebuilt == []
