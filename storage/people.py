"""Implements domain.people.PersonalDataStore: everything stored about one person, and its
erasure (domain/people.py says what goes and what stays).

A person is a Telegram user: a customer, a delivery partner, or both. Their orders stay for the
restaurants' accounting, moved to a new anonymous key: a negative id (the negative of their
first order's id, unique and naming no one), with no name, no contact and no address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.orders import OrderStatus
from domain.people import Forgotten, PersonalDataStore
from storage.admin_repositories import AUDIT, INVITES
from storage.pipeline.sql import OFFERS
from storage.sql import (
    CART_LINES,
    CARTS,
    CHAT_LANGUAGES,
    CHECKOUTS,
    CUSTOMERS,
    INBOX,
    LINE_MESSAGES,
    ORDER_EVENTS,
    ORDER_ITEMS,
    ORDER_RATINGS,
    ORDERS,
    OUTBOX,
    PARTNERS,
    PAYMENTS,
    PROMO_USES,
    REFUNDS,
    RIDER_SPOTS,
    TRACKING_MESSAGES,
)

ERASED = "—"  # an erased order's address: it had one, nobody may know it now
_ACTIVE = [status.value for status in OrderStatus if not status.is_terminal]
_DELIVERED = ("id", "restaurant_id", "status", "created_at", "updated_at")  # a rider's work


class SqlPersonalData:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        o = ORDERS.c
        async with self._sessions() as session:
            ordered = select(o.id).where(o.customer_id == user_id)
            own = [
                ("customer", CUSTOMERS, CUSTOMERS.c.id == user_id),
                ("language", CHAT_LANGUAGES, CHAT_LANGUAGES.c.chat_id == user_id),
                ("cart", CART_LINES, CART_LINES.c.customer_id == user_id),
                ("checkout", CHECKOUTS, CHECKOUTS.c.customer_id == user_id),
                ("orders", ORDERS, o.customer_id == user_id),
                ("order_items", ORDER_ITEMS, ORDER_ITEMS.c.order_id.in_(ordered)),
                ("order_events", ORDER_EVENTS, ORDER_EVENTS.c.order_id.in_(ordered)),
                ("ratings", ORDER_RATINGS, ORDER_RATINGS.c.order_id.in_(ordered)),
                ("line_messages", LINE_MESSAGES, or_(
                    LINE_MESSAGES.c.order_id.in_(ordered),
                    LINE_MESSAGES.c.order_id.in_(select(o.id).where(o.partner_id == user_id)))),
                ("payments", PAYMENTS, PAYMENTS.c.customer_id == user_id),
                ("refunds", REFUNDS, REFUNDS.c.customer_id == user_id),
                ("promo_uses", PROMO_USES, PROMO_USES.c.customer_id == user_id),
                ("partner", PARTNERS, PARTNERS.c.id == user_id),
                ("offers", OFFERS, OFFERS.c.partner_id == user_id),
                ("rider_spots", RIDER_SPOTS, or_(RIDER_SPOTS.c.chat_id == user_id,
                                                 RIDER_SPOTS.c.order_id.in_(
                                                     select(o.id).where(o.partner_id == user_id)))),
                ("messages_to_you", OUTBOX, OUTBOX.c.chat_id == user_id),
                ("updates_from_you", INBOX, INBOX.c.chat_id == user_id),
            ]
            found = {name: await _rows(session, select(table).where(where))
                     for name, table, where in own}
            found["deliveries"] = await _rows(
                session, select(*(o[c] for c in _DELIVERED)).where(o.partner_id == user_id))
        return {name: rows for name, rows in found.items() if rows}

    async def forget(self, user_id: int, now: datetime) -> Forgotten:
        o = ORDERS.c
        async with self._sessions() as session, session.begin():
            active = list((await session.execute(
                select(o.id).where(o.customer_id == user_id, o.status.in_(_ACTIVE))
                .with_for_update())).scalars())
            delivering = await session.scalar(
                select(PARTNERS.c.active_order_id).where(PARTNERS.c.id == user_id))
            if active or delivering is not None:
                return Forgotten(active=sorted({*active, *([delivering] if delivering else [])}))
            orders = await self._forget_customer(session, user_id, now)
            deliveries = await self._forget_partner(session, user_id, now)
            for column in (OUTBOX.c.chat_id, CHAT_LANGUAGES.c.chat_id):  # the spots went with
                await session.execute(delete(column.table).where(column == user_id))  # orders
            await session.execute(delete(INBOX).where(INBOX.c.chat_id == user_id,
                                                      INBOX.c.done_at.is_not(None)))
        return Forgotten(orders=orders, deliveries=deliveries)

    async def _forget_customer(self, session: AsyncSession, user_id: int, now: datetime) -> int:
        """Their orders moved to an anonymous customer, without contact, address or note;
        their profile, cart, draft, and the lines and tracking messages of their orders gone."""
        o = ORDERS.c
        first = await session.scalar(select(func.min(o.id)).where(o.customer_id == user_id))
        orders = 0
        if first is not None:
            anon, theirs = -first, select(o.id).where(o.customer_id == user_id)
            await session.execute(insert(CUSTOMERS).values(id=anon, name="", created_at=now))
            for table in (LINE_MESSAGES, TRACKING_MESSAGES, RIDER_SPOTS):
                await session.execute(delete(table).where(table.c.order_id.in_(theirs)))
            await session.execute(delete(OUTBOX).where(  # offers and tickets name the address
                _about(theirs)))
            await _rekey_events(session, "customer", user_id, anon, theirs)
            await session.execute(update(PAYMENTS).where(PAYMENTS.c.customer_id == user_id)
                                  .values(customer_id=anon, payload=""))  # the key names them
            for column in (REFUNDS.c.customer_id, PROMO_USES.c.customer_id):
                await session.execute(update(column.table).where(column == user_id)
                                      .values({column.name: anon}))
            orders = (await session.execute(
                update(ORDERS).where(o.customer_id == user_id).values(
                    customer_id=anon, address=ERASED, phone=None, latitude=None, longitude=None,
                    note="", idempotency_key=None))).rowcount  # type: ignore[attr-defined]
        for table in (CART_LINES, CARTS, CHECKOUTS):
            await session.execute(delete(table).where(table.c.customer_id == user_id))
        await session.execute(delete(CUSTOMERS).where(CUSTOMERS.c.id == user_id))
        return int(orders)

    async def _forget_partner(self, session: AsyncSession, user_id: int, now: datetime) -> int:
        """Their deliveries moved to an anonymous, revoked partner; their offers, their words on
        the lines and their spots on the map gone."""
        o = ORDERS.c
        first = await session.scalar(select(func.min(o.id)).where(o.partner_id == user_id))
        deliveries = 0
        if first is not None:
            anon, theirs = -first, select(o.id).where(o.partner_id == user_id)
            await session.execute(insert(PARTNERS).values(
                id=anon, name="", status="revoked", online=False, created_at=now))
            line = LINE_MESSAGES.c
            await session.execute(delete(LINE_MESSAGES).where(line.order_id.in_(theirs),
                                                              line.side == "rider"))
            await session.execute(delete(RIDER_SPOTS).where(RIDER_SPOTS.c.order_id.in_(theirs)))
            await session.execute(delete(OUTBOX).where(_about(theirs)))  # "Ravi will deliver it"
            await _rekey_events(session, "partner", user_id, anon, theirs)
            deliveries = (await session.execute(update(ORDERS).where(o.partner_id == user_id)
                                                .values(partner_id=anon))).rowcount  # type: ignore[attr-defined]
        await session.execute(delete(OFFERS).where(OFFERS.c.partner_id == user_id))
        await session.execute(update(INVITES).where(INVITES.c.used_by == user_id)
                              .values(used_by=None))
        await session.execute(update(AUDIT).where(AUDIT.c.target == f"partner:{user_id}")
                              .values(target="partner:forgotten", detail=""))
        await session.execute(delete(PARTNERS).where(PARTNERS.c.id == user_id))
        return int(deliveries)


def _about(orders: Any) -> Any:
    """The messages about `orders` that went out (or never will): those still to go, go."""
    o = OUTBOX.c
    return and_(o.payload["order_id"].as_integer().in_(orders),
                or_(o.sent_at.is_not(None), o.given_up_at.is_not(None)))


async def _rekey_events(session: AsyncSession, kind: str, user_id: int, anon: int,
                        orders: Any) -> None:
    """The order events they caused name the anonymous key instead."""
    events = ORDER_EVENTS.c
    await session.execute(update(ORDER_EVENTS).where(
        events.order_id.in_(orders), events.actor == f"{kind}:{user_id}")
        .values(actor=f"{kind}:{anon}"))


async def _rows(session: AsyncSession, stmt: Any) -> list[dict[str, Any]]:
    return [_plain(row) for row in (await session.execute(stmt)).mappings()]


def _plain(row: RowMapping) -> dict[str, Any]:
    return {key: value for key, value in row.items()}


def _implements(store: SqlPersonalData) -> PersonalDataStore:
    return store  # mypy checks the class against the port
