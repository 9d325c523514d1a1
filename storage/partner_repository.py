"""The SQL repository of delivery partners (domain/ports.py), and the riders counted for the
estimated delivery time (domain.estimates)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.estimates import Riders
from domain.ids import UserId
from domain.orders import OrderStatus
from domain.partners import Partner, PartnerStatus
from storage import mapping
from storage.rows.orders import UNDER_WAY
from storage.sql import ORDERS, PARTNERS, by_id, execute_count, upsert

# built once: a partner's every press reads it (storage/repositories.py says why)
_PARTNER = select(PARTNERS).where(PARTNERS.c.id == bindparam("id"))


class SqlPartnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, partner_id: UserId) -> Partner | None:
        row = (await self._session.execute(_PARTNER, {"id": partner_id})).mappings().first()
        return mapping.partner_from_row(row) if row is not None else None

    async def list(self, limit: int | None = None, *, before: int | None = None,
                   after: int | None = None) -> Sequence[Partner]:
        stmt = (select(PARTNERS).order_by(PARTNERS.c.id) if limit is None
                else by_id(select(PARTNERS), PARTNERS.c.id, limit, before, after))
        rows = (await self._session.execute(stmt)).mappings()
        return [mapping.partner_from_row(row) for row in rows]

    async def set_online(self, partner: Partner) -> None:
        stmt = (
            update(PARTNERS)
            .where(PARTNERS.c.id == partner.id)
            .values(online=partner.online, idle_since=partner.idle_since)
        )
        await self._session.execute(stmt)

    async def revoke(self, partner_id: UserId) -> bool:
        stmt = (
            update(PARTNERS)
            .where(PARTNERS.c.id == partner_id, PARTNERS.c.active_order_id.is_(None))
            .values(status=PartnerStatus.REVOKED.value, online=False)
        )
        return await execute_count(self._session, stmt) == 1

    async def riders(self) -> Riders:
        p, o = PARTNERS.c, ORDERS.c
        online = (p.status == PartnerStatus.APPROVED.value, p.online.is_(True))
        # needs a rider now or soon (not a slot later); UNDER_WAY is implied by the rest, but
        # without it SQLite's planner scans every order rather than search them by status
        waiting = (UNDER_WAY, o.partner_id.is_(None), or_(
            o.status.in_([OrderStatus.CONFIRMED.value, OrderStatus.PREPARING.value]),
            and_(o.status == OrderStatus.CREATED.value, o.scheduled_for.is_(None))))
        stmt = select(
            select(func.count()).where(*online, p.active_order_id.is_(None)).scalar_subquery(),
            select(func.count()).where(*online, p.active_order_id.is_not(None))
            .scalar_subquery(),
            select(func.count()).select_from(ORDERS).where(*waiting).scalar_subquery(),
        )
        free, busy, queued = (await self._session.execute(stmt)).one()
        return Riders(free, busy, queued)

    async def save(self, partner: Partner) -> None:
        """Inserts or updates the partner in one statement."""
        values = mapping.partner_values(partner)
        await upsert(self._session, PARTNERS, values, key=["id"])
