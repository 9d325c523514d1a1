"""What every admin area shares: the audit entry each change records, and lookups that
refuse an unknown id."""

from __future__ import annotations

from typing import TypeVar

from domain.errors import NotFound
from domain.ids import UserId
from domain.ports import Clock
from domain.services.admin.ports import AdminUnitOfWork, AuditEntry

T = TypeVar("T")


async def record(uow: AdminUnitOfWork, clock: Clock, actor: UserId, action: str,
                 target: str, detail: str = "") -> None:
    """Adds who did what to which, now, in the change's own unit of work: the log never
    shows an action that did not happen nor misses one that did."""
    await uow.audit.add(AuditEntry(actor, clock.now(), action, target, detail))


def found(value: T | None, what: str, ident: object) -> T:
    """`value`, or NotFound naming what was looked for."""
    if value is None:
        raise NotFound(what, ident)
    return value
