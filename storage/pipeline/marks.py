"""Recording the messages Telegram took: the sender's "sent" marks.

Until a mark commits, a kill means sending the message again; so each mark is first written
to the sending process's journal (storage.sent_journal, SQLite), which a reaper reads if the
process dies. The mark then goes ahead of other writers (SQLite's line, storage.write_lock),
and marks that arrive while one is being written share the next transaction: the first caller
writes them all, the others wait for theirs, so a tick's sends are recorded in one or two
commits, not one each; each caller still hears its own outcome, failures included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.sent_journal import SentJournal, Taken
from storage.sql import OUTBOX
from storage.write_lock import first_in_line


@dataclass(frozen=True, slots=True)
class _Mark:
    taken: Taken
    recorded: asyncio.Future[None]


class SentMarks:
    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 journal: SentJournal | None = None) -> None:
        self._sessions = sessions
        self._journal = journal
        self._marks: list[_Mark] = []
        self._marking = False

    async def record(self, taken: Taken) -> None:
        """Returns once `taken` is committed; raises what the database raised."""
        if self._journal is not None:
            self._journal.took(taken)
        mark = _Mark(taken, asyncio.get_running_loop().create_future())
        self._marks.append(mark)
        if self._marking:
            await mark.recorded
            return
        self._marking = True
        try:
            failed = False
            while self._marks:
                marks, self._marks = self._marks, []
                failed = not await self._write(marks) or failed
            if self._journal is not None and not failed:
                self._journal.recorded()  # else kept: if this process dies, a reaper has them
        finally:
            self._marking = False
            for left in self._marks:  # only when cancelled: their leases run out as after a kill
                left.recorded.cancel()
            self._marks = []
        await mark.recorded

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()

    async def _write(self, marks: list[_Mark]) -> bool:
        """Writes `marks` and settles each caller's wait; False when the write failed."""
        try:
            with first_in_line():
                async with self._sessions() as session, session.begin():
                    await mark_all_sent(session, [m.taken for m in marks])
        except Exception as exc:
            for mark in marks:
                if not mark.recorded.done():
                    mark.recorded.set_exception(exc)
            return False
        except BaseException:
            for mark in marks:
                mark.recorded.cancel()
            raise
        else:
            for mark in marks:
                if not mark.recorded.done():
                    mark.recorded.set_result(None)
            return True


async def mark_all_sent(session: AsyncSession, taken: Sequence[Taken]) -> int:
    """Records messages Telegram took; one already recorded keeps its first record. Returns
    how many were recorded now."""
    stmt = (
        update(OUTBOX)
        .where(OUTBOX.c.id == bindparam("mark_id"), OUTBOX.c.sent_at.is_(None))
        .values(sent_at=bindparam("mark_at"), message_id=bindparam("mark_telegram_id"),
                locked_until=None, locked_by=None)
    )
    result = await session.execute(stmt, [
        {"mark_id": t.message_id, "mark_at": t.at, "mark_telegram_id": t.telegram_id}
        for t in taken])
    return cast(CursorResult[Any], result).rowcount  # summed over the rows (sqlite3)
