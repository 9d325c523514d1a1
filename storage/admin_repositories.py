"""The admin console's storage: the audit log and a unit of work that carries it (issue #6)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Self, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.admin_service import AuditEntry, AuditLog
from domain.ids import UserId
from domain.invites import InviteCode, InviteCodes
from storage.rows_admin import AuditRow
from storage.rows_invites import InviteRow
from storage.sql import execute_count
from storage.uow import SqlUnitOfWork

AUDIT = cast(Table, AuditRow.__table__)
INVITES = cast(Table, InviteRow.__table__)


class SqlAuditLog:
    """Implements `domain.admin_service.AuditLog`; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: AuditEntry) -> None:
        await self._session.execute(insert(AUDIT).values(
            at=entry.at, actor=entry.actor, action=entry.action,
            target=entry.target, detail=entry.detail,
        ))

    async def latest(self, limit: int) -> Sequence[AuditEntry]:
        stmt = select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit)
        rows = (await self._session.execute(stmt)).mappings()
        return [
            AuditEntry(UserId(row["actor"]), row["at"], row["action"], row["target"],
                       row["detail"])
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


class SqlAdminUnitOfWork(SqlUnitOfWork):
    """The SQL unit of work plus the audit log and invite codes, on the same session and
    transaction."""

    audit: AuditLog
    invites: InviteCodes

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.audit = SqlAuditLog(self.session)
        self.invites = SqlInviteCodes(self.session)
        return self


def admin_uow_factory(
    session_factory: async_sessionmaker[AsyncSession],
) -> Callable[[], SqlAdminUnitOfWork]:
    """A `domain.admin_service.AdminUowFactory`: each call gives a fresh unit of work."""

    def make() -> SqlAdminUnitOfWork:
        return SqlAdminUnitOfWork(session_factory)

    return make
