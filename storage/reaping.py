"""The leases that are still running, and ending some of them early (bot.holders decides which).

Four kinds of rows are leased to a process by name: inbox updates being handled, queue tasks
being worked, outbox messages being sent (`locked_by`, `locked_until`) and the named leases
such as `polling` (`holder`, `expires_at`). A process that dies keeps them until they run out.
Ending one early is the same as letting it run out, only sooner: the row stays marked with
its holder, so everything that treats an expired lease with care (the outbox holding back a
message whose send never settled) does so here too. Every query below reads only rows still
pending, through the indexes the claims use.

A process that sent notifications may also have left a journal of what Telegram took
(storage.sent_journal, SQLite): its name counts as a holder, and ending it records those
messages as sent, in the same transaction that ends its leases, before the file is removed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import sent_journal
from storage.pipeline.marks import mark_all_sent
from storage.sql import INBOX, LEASES, OUTBOX, TASKS, execute_count


def _pending(table: Table) -> ColumnElement[bool]:
    """The rows of `table` whose lease may still be running."""
    if table is INBOX:
        return INBOX.c.done_at.is_(None)
    if table is TASKS:
        return TASKS.c.state == "pending"
    return OUTBOX.c.sent_at.is_(None)


class Ended(NamedTuple):
    leases: int  # rows whose lease was ended
    recorded: int  # messages recorded as sent from journals


class SqlLeaseHolders:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], journals: Path | None = None
    ) -> None:
        self._sessions = session_factory
        self._journals = journals  # the outbox senders' journals (SQLite)

    async def running(self, now: datetime) -> set[str]:
        """The names holding a lease that has not run out at `now`, as written (a claim's
        token may add `#...` to its process's name), and those with a journal."""
        names = sent_journal.writers(self._journals) if self._journals is not None else set()
        async with self._sessions() as session:
            for table in (INBOX, TASKS, OUTBOX):
                stmt = select(table.c.locked_by).distinct().where(
                    _pending(table), table.c.locked_by.is_not(None), table.c.locked_until > now)
                names.update((await session.execute(stmt)).scalars())
            stmt = select(LEASES.c.holder).distinct().where(LEASES.c.expires_at > now)
            names.update((await session.execute(stmt)).scalars())
        return names

    async def end(self, names: Collection[str], now: datetime) -> Ended:
        """Ends at `now` every running lease held by one of `names` (exactly as `running`
        returned them), after recording as sent what their journals hold."""
        if not names:
            return Ended(0, 0)
        folder = self._journals
        taken = [entry for name in names for entry in sent_journal.read(folder, name)
                 ] if folder is not None else []
        freed = recorded = 0
        async with self._sessions() as session, session.begin():
            if taken:
                recorded = await mark_all_sent(session, taken)
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
        if folder is not None:
            for name in names:
                sent_journal.remove(folder, name)
        return Ended(freed, recorded)
