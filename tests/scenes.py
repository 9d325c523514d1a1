"""Setting a scene: moving a stored order to where a test starts, by the one move function.

The moves are checked by `Effects.move` (the transition table and its guards) and written by
the pipeline's own guarded write (`storage.pipeline.apply`), with their events; only the
chat messages they would cause are left out, since nobody is watching yet.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ids import OrderId, UserId
from domain.orders import SYSTEM, Actor, OrderStatus
from domain.pipeline.model import Effects
from storage.pipeline.store import SqlPipelineTx
from storage.sql import ORDERS, PARTNERS


async def move_order(
    session: AsyncSession, order_id: int, *moves: OrderStatus, at: datetime | None = None,
    actor: Actor = SYSTEM, partner: UserId | None = None,
) -> None:
    """Moves the order through `moves` inside the caller's transaction. `partner` (stored
    already) takes the order first, as an accepted offer would: it is theirs, and their
    active order."""
    at = at or datetime.now(UTC)
    tx = SqlPipelineTx(session)
    if partner is not None:
        await session.execute(update(ORDERS).where(ORDERS.c.id == order_id)
                              .values(partner_id=partner))
        await session.execute(update(PARTNERS).where(PARTNERS.c.id == partner)
                              .values(active_order_id=order_id))
    order = (await tx.orders({OrderId(order_id)}))[OrderId(order_id)]
    effects = Effects(order.id)
    for status in moves:
        effects.move(order, status, at=at, actor=actor)
    effects.notes.clear()
    assert not await tx.apply([effects], at), f"order {order_id} changed meanwhile"
