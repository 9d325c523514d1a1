"""The leases that are still running, and ending some of them early (bot.holders decides which).

Four kinds of rows are leased to a process by name: inbox updates being handled, queue tasks
being worked, outbox messages being sent (`locked_by`, `locked_until`) and the named leases
such as `polling` (`holder`, `expires_at`). A process that dies keeps them until they run out.
Ending one early is the same as letting it run out, only sooner: the row stays marked with
its holder, so everything that treats an expired lease with care (the outbox holding back a
message whose send never settled) does so here too. Every query below reads only rows still
pending, through the indexes the claims use.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.sql import INBOX, LEASES, OUTBOX, TASKS, execute_count


def _pending(table: Table) -> ColumnElement[bool]:
    """The rows of `table` whose lease may still be running."""
    if table is INBOX:
        return INBOX.c.done_at.is_(None)
    if table is TASKS:
        return TASKS.c.state == "pending"
    return OUTBOX.c.sent_at.is_(None)


class SqlLeaseHolders:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def running(self, now: datetime) -> set[str]:
        """The names holding a lease that has not run out at `now`, as written (a claim's
        token may add `#...` to its process's name)."""
        names: set[str] = set()
        async with self._sessions() as session:
            for table in (INBOX, TASKS, OUTBOX):
                stmt = select(table.c.locked_by).distinct().where(
                    _pending(table), table.c.locked_by.is_not(None), table.c.locked_until > now)
                names.update((await session.execute(stmt)).scalars())
            stmt = select(LEASES.c.holder).distinct().where(LEASES.c.expires_at > now)
            names.update((await session.execute(stmt)).scalars())
        return names

    async def end(self, names: Collection[str], now: datetime) -> int:
        """Ends at `now` every running lease held by one of `names` (exactly as `running`
        returned them); returns how many rows that freed."""
        if not names:
            return 0
        freed = 0
        async with self._sessions() as session, session.begin():
            for table in (INBOX, TASKS, OUTBOX):
                stmt = (
                    update(table)
                    .where(_pending(table), table.c.locked_by.in_(list(names)),
                           table.c.locked_until > now)
                    .values(locked_until=now)
                )
                freed += await execute_count(session, stmt)
            stmt = (
                update(LEASES)
                .where(LEASES.c.holder.in_(list(names)), LEASES.c.expires_at > now)
                .values(expires_at=now)
            )
            freed += await execute_count(session, stmt)
        return freed
