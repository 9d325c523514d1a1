"""The admin console's storage: the audit log and a unit of work that carries it (issue #6)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Self, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ids import OrderId, TaskId, UserId
from domain.invites import InviteCode, InviteCodes
from domain.partners import PartnerStatus
from domain.services.admin.ports import (
    AdminOrders,
    AuditEntry,
    AuditLog,
    DeadLetters,
    DeadTask,
    StatsSource,
)
from domain.stats import HourTotals, RefundFact
from storage.catalogue import Announce
from storage.pipeline.tasks import SqlTaskStore
from storage.rows import AuditRow, InviteRow
from storage.sql import PARTNERS, REFUNDS, TASKS, by_id, execute_count
from storage.stats import totals_since
from storage.uow import SqlUnitOfWork
from storage.wakes import Wakes, Written

AUDIT = cast(Table, AuditRow.__table__)
INVITES = cast(Table, InviteRow.__table__)


class SqlAuditLog:
    """Implements `domain.services.admin.ports.AuditLog`; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: AuditEntry) -> None:
        await self._session.execute(insert(AUDIT).values(
            at=entry.at, actor=entry.actor, action=entry.action,
            target=entry.target, detail=entry.detail,
        ))

    async def latest(self, limit: int, *, before: int | None = None,
                     after: int | None = None) -> Sequence[AuditEntry]:
        stmt = by_id(select(AUDIT), AUDIT.c.id, limit, before, after)
        rows = (await self._session.execute(stmt)).mappings()
        return [
            AuditEntry(UserId(row["actor"]), row["at"], row["action"], row["target"],
                       row["detail"], row["id"])
            for row in rows
        ]

    async def count(self) -> int:
        stmt = select(func.count()).select_from(AUDIT)
        return int((await self._session.execute(stmt)).scalar_one())


class SqlInviteCodes:
    """Implements `domain.invites.InviteCodes`; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, invite: InviteCode) -> None:
        await self._session.execute(insert(INVITES).values(
            code=invite.code, created_by=invite.created_by, created_at=invite.created_at,
            expires_at=invite.expires_at,
        ))

    async def use(self, code: str, user_id: UserId, at: datetime) -> bool:
        stmt = (
            update(INVITES)
            .where(INVITES.c.code == code, INVITES.c.used_by.is_(None),
                   INVITES.c.expires_at > at)
            .values(used_by=user_id, used_at=at)
        )
        return await execute_count(self._session, stmt) == 1


class SqlDeadLetters:
    """Implements `domain.services.admin.ports.DeadLetters`; never commits."""

    def __init__(self, session: AsyncSession, written: Written | None = None) -> None:
        self._session = session
        self._written = written or Written()

    async def latest(self, limit: int, *, before: int | None = None,
                     after: int | None = None) -> Sequence[DeadTask]:
        stmt = by_id(select(TASKS).where(TASKS.c.state == "dead"), TASKS.c.id, limit, before,
                     after)
        return [_dead(row) for row in (await self._session.execute(stmt)).mappings()]

    async def get(self, task_id: TaskId) -> DeadTask | None:
        stmt = select(TASKS).where(TASKS.c.id == task_id, TASKS.c.state == "dead")
        row = (await self._session.execute(stmt)).mappings().first()
        return _dead(row) if row is not None else None

    async def exists(self, task_id: TaskId) -> bool:
        stmt = select(func.count()).select_from(TASKS).where(TASKS.c.id == task_id)
        return int((await self._session.execute(stmt)).scalar_one()) > 0

    async def revive(self, task_id: TaskId, now: datetime) -> bool:
        revived = await SqlTaskStore(self._session).revive(task_id, now)
        self._written.tasks |= revived
        return revived


def _dead(row: Any) -> DeadTask:
    order_id = row["order_id"]
    return DeadTask(TaskId(row["id"]), row["kind"],
                    OrderId(order_id) if order_id is not None else None,
                    row["attempts"], row["last_error"], row["finished_at"])


class SqlStatsSource:
    """Implements `domain.services.admin.ports.StatsSource`; read only."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def totals(self, starts: Sequence[datetime]) -> Sequence[HourTotals]:
        return await totals_since(self._session, starts)

    async def refund_facts(self, since: datetime) -> Sequence[RefundFact]:
        r = REFUNDS.c
        rows = await self._session.execute(
            select(r.created_at, r.amount).where(r.created_at >= since))
        return [RefundFact(at, amount) for at, amount in rows]

    async def partners_online(self) -> int:
        p = PARTNERS.c
        stmt = select(func.count()).select_from(PARTNERS).where(
            p.status == PartnerStatus.APPROVED.value, p.online.is_(True))
        return int((await self._session.execute(stmt)).scalar_one())


class SqlAdminUnitOfWork(SqlUnitOfWork):
    """The SQL unit of work plus the audit log and invite codes, on the same session and
    transaction."""

    audit: AuditLog
    invites: InviteCodes
    orders: AdminOrders
    dead_letters: DeadLetters
    stats: StatsSource

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.audit = SqlAuditLog(self.session)
        self.invites = SqlInviteCodes(self.session)
        self.dead_letters = SqlDeadLetters(self.session, self._written)
        self.stats = SqlStatsSource(self.session)
        return self


def admin_uow_factory(
    session_factory: async_sessionmaker[AsyncSession], announce: Announce | None = None,
    wakes: Wakes | None = None,
) -> Callable[[], SqlAdminUnitOfWork]:
    """A `domain.services.admin.ports.AdminUowFactory`: each call gives a fresh unit of work;
    `announce` and `wakes` as in `SqlUnitOfWork`."""

    def make() -> SqlAdminUnitOfWork:
        return SqlAdminUnitOfWork(session_factory, announce, wakes)

    return make
