"""SQL repositories for the customer's journey: checkout drafts, tracking messages, ratings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.checkout import Checkout
from domain.ids import OrderId, UserId
from domain.views import TrackingMessage
from storage import mapping
from storage.pipeline.bulk import Bulk
from storage.pipeline.sql import Prepared
from storage.rows.base import utcnow
from storage.sql import CHECKOUTS, CUSTOMERS, ORDER_RATINGS, TRACKING_MESSAGES, in_ids, upsert

# a checkout with its customer's own time zone (read only: /mytimezone sets it), in one query
_WITH_ZONE = select(CHECKOUTS, select(CUSTOMERS.c.time_zone).where(
    CUSTOMERS.c.id == CHECKOUTS.c.customer_id).scalar_subquery().label("customer_zone"))
# built once, as the chat reads them on most updates (storage/repositories.py says why)
_CHECKOUT = _WITH_ZONE.where(CHECKOUTS.c.customer_id == bindparam("id"))
_CHECKOUTS = Prepared(_WITH_ZONE.where(in_ids(CHECKOUTS.c.customer_id)))
_DROP_CHECKOUTS = Prepared(delete(CHECKOUTS).where(in_ids(CHECKOUTS.c.customer_id)))
_TRACKING = select(TRACKING_MESSAGES).where(TRACKING_MESSAGES.c.order_id == bindparam("id"))
_NEW_TRACKING = Bulk(insert(TRACKING_MESSAGES).inline(), ["order_id", "chat_id", "message_id"])


class SqlCheckoutRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, customer_id: UserId) -> Checkout | None:
        row = (await self._session.execute(_CHECKOUT, {"id": customer_id})).mappings().first()
        return mapping.checkout_from_row(row) if row is not None else None

    async def get_many(self, customer_ids: Iterable[UserId]) -> dict[UserId, Checkout]:
        wanted = sorted(set(customer_ids))
        rows = await _CHECKOUTS.mappings(self._session, {"ids": wanted})
        return {UserId(row["customer_id"]): mapping.checkout_from_row(row) for row in rows}

    async def delete_many(self, customer_ids: Iterable[UserId]) -> None:
        await _DROP_CHECKOUTS.count(self._session, {"ids": sorted(set(customer_ids))})

    async def save(self, checkout: Checkout) -> None:
        """Inserts or replaces the customer's checkout in one statement."""
        values = mapping.checkout_values(checkout) | {"updated_at": utcnow()}
        await upsert(self._session, CHECKOUTS, values, key=["customer_id"])

    async def delete(self, customer_id: UserId) -> None:
        await self._session.execute(delete(CHECKOUTS).where(CHECKOUTS.c.customer_id == customer_id))


class SqlTrackingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, order_id: OrderId) -> TrackingMessage | None:
        row = (await self._session.execute(_TRACKING, {"id": order_id})).mappings().first()
        return TrackingMessage(row["chat_id"], row["message_id"]) if row is not None else None

    async def save(self, order_id: OrderId, message: TrackingMessage) -> None:
        values = {"order_id": order_id, "chat_id": message.chat_id,
                  "message_id": message.message_id}
        await upsert(self._session, TRACKING_MESSAGES, values, key=["order_id"])

    async def add_many(self, messages: Mapping[OrderId, TrackingMessage]) -> None:
        """The tracking messages of new orders (none stored yet), in one statement."""
        await _NEW_TRACKING.run(self._session, [
            {"order_id": o, "chat_id": m.chat_id, "message_id": m.message_id}
            for o, m in messages.items()
        ])


class SqlRatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, order_id: OrderId) -> int | None:
        stmt = select(ORDER_RATINGS.c.stars).where(ORDER_RATINGS.c.order_id == order_id)
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def add(self, order_id: OrderId, stars: int, at: datetime) -> None:
        values = {"order_id": order_id, "stars": stars, "rated_at": at}
        await self._session.execute(insert(ORDER_RATINGS).values(values))
