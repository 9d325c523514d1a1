"""The rider spots (domain.rider_map): written as partners move, worked by the map job of any
instance, one at a time per order (a claim)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ids import OrderId
from domain.orders import OrderStatus
from domain.rider_map import RiderSpot
from storage.sql import ORDERS, RIDER_SPOTS, execute_count, upsert

_S = RIDER_SPOTS.c


class SqlRiderSpots:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, order_id: OrderId, chat_id: int, latitude: float, longitude: float,
                  at: datetime) -> None:
        """The rider's newest spot; what the customer's map shows is kept."""
        await upsert(self._session, RIDER_SPOTS, {
            "order_id": order_id, "chat_id": chat_id, "latitude": latitude,
            "longitude": longitude, "moved_at": at, "stopped": False,
        }, key=["order_id"])

    async def live(self, now: datetime, limit: int) -> list[RiderSpot]:
        """Maps not stopped and not claimed by another instance, with their order's status."""
        stmt = (
            select(_S.order_id, _S.chat_id, _S.latitude, _S.longitude, _S.moved_at,
                   ORDERS.c.status, _S.message_id, _S.shown_latitude, _S.shown_longitude,
                   _S.shown_at, _S.tracked_at)
            .join(ORDERS, ORDERS.c.id == _S.order_id)
            .where(_S.stopped.is_(False),
                   or_(_S.claimed_until.is_(None), _S.claimed_until < now))
            .order_by(_S.moved_at).limit(limit)
        )
        return [
            RiderSpot(OrderId(order_id), chat, lat, lon, moved,
                      status == OrderStatus.OUT_FOR_DELIVERY.value, message,
                      (shown_lat, shown_lon) if shown_lat is not None else None, shown_at,
                      tracked_at=tracked)
            for (order_id, chat, lat, lon, moved, status, message, shown_lat, shown_lon,
                 shown_at, tracked) in await self._session.execute(stmt)
        ]

    async def claim(self, order_id: OrderId, now: datetime, until: datetime) -> bool:
        """This instance works the map until `until`, unless another one does."""
        stmt = (update(RIDER_SPOTS)
                .where(_S.order_id == order_id,
                       or_(_S.claimed_until.is_(None), _S.claimed_until < now))
                .values(claimed_until=until))
        return await execute_count(self._session, stmt) == 1

    async def shown(self, order_id: OrderId, message_id: int, latitude: float,
                    longitude: float, at: datetime) -> None:
        """The customer's map now stands at that spot; the claim ends."""
        await self._session.execute(update(RIDER_SPOTS).where(_S.order_id == order_id).values(
            message_id=message_id, shown_latitude=latitude, shown_longitude=longitude,
            shown_at=at, claimed_until=None))

    async def tracked(self, order_id: OrderId, at: datetime) -> None:
        await self._session.execute(update(RIDER_SPOTS).where(_S.order_id == order_id)
                                    .values(tracked_at=at))

    async def stopped(self, order_id: OrderId) -> None:
        await self._session.execute(update(RIDER_SPOTS).where(_S.order_id == order_id)
                                    .values(stopped=True, claimed_until=None))

    async def release(self, order_id: OrderId) -> None:
        await self._session.execute(update(RIDER_SPOTS).where(_S.order_id == order_id)
                                    .values(claimed_until=None))
