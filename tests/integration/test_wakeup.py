"""A commit that writes work wakes this process's job at once (bot/wakeup.py, bot/jobs.py),
on the real storage; and the due times a job sleeps until, read from the database.

Each job here has a fallback look of a minute, far past every deadline: a test passes only
because the commit woke the job, never because its fallback look came.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.jobs import JobLoop
from bot.wakeup import Signal, Wakeup
from domain.messages import Notification, OrderReady
from domain.tasks import NewTask, TaskKind
from storage.pipeline.outbox import SqlOutboxStore
from storage.pipeline.tasks import SqlTaskStore
from storage.sql import OUTBOX, TASKS
from storage.uow import SqlUnitOfWork, uow_factory
from tests.bot.test_shared_budget import until
from tests.integration.builders import T0

FALLBACK_S = 60.0  # longer than any deadline below
Uows = Callable[[], SqlUnitOfWork]


class Sender:
    """Stands in for the sender: each run counts the unsent rows it sees; a run can be held
    open at `gate` to see what commits do meanwhile."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self.seen: list[int] = []
        self.running = self.most_at_once = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def run(self) -> datetime | None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            async with self._sessions() as session:
                unsent = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None))
                self.seen.append(int((await session.execute(unsent)).scalar_one()))
            await self.gate.wait()
        finally:
            self.running -= 1
        return None  # nothing due that this run knows of: the fallback look


def job(sender: Sender, signal: Signal) -> JobLoop:
    async def on_error(name: str, exc: Exception) -> None:
        raise AssertionError(f"{name} failed: {exc!r}")

    return JobLoop("outbox", sender.run, signal, SystemClock(), fallback_s=FALLBACK_S,
                   held_s=0.25, on_error=on_error)


async def note(uows: Uows, order: int, *, commit: bool = True) -> None:
    async with uows() as uow:
        await uow.outbox.add(Notification(1001, OrderReady(order)), T0)
        if commit:
            await uow.commit()


async def test_a_committed_outbox_row_wakes_the_sender_before_its_fallback_look(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    wakeup, sender = Wakeup(), Sender(session_factory)
    uows = uow_factory(session_factory, wakes=wakeup)
    loop = job(sender, wakeup.outbox)
    loop.start()
    try:
        await until(lambda: sender.seen == [0])  # the look at start
        await note(uows, 1)
        await until(lambda: sender.seen == [0, 1])  # woken: the row was there to see
    finally:
        await loop.stop()


async def test_a_burst_of_commits_is_one_more_run_never_two_at_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    wakeup, sender = Wakeup(), Sender(session_factory)
    uows = uow_factory(session_factory, wakes=wakeup)
    loop = job(sender, wakeup.outbox)
    sender.gate.clear()  # the run at start stays open while the burst commits
    loop.start()
    try:
        await until(lambda: sender.running == 1)
        for order in range(10):
            await note(uows, order)
        sender.gate.set()
        await until(lambda: len(sender.seen) == 2 and sender.running == 0)
        assert sender.seen == [0, 10]  # the one more run saw the whole burst
        assert sender.most_at_once == 1
        assert not wakeup.outbox.is_set  # nothing left to wake a third run
    finally:
        await loop.stop()


async def test_work_that_is_not_committed_wakes_nobody(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    wakeup = Wakeup()
    uows = uow_factory(session_factory, wakes=wakeup)
    await note(uows, 1, commit=False)
    async with uows() as uow:  # enqueued, then rolled back explicitly
        await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, None, T0))
        await uow.rollback()
    assert not wakeup.outbox.is_set and not wakeup.queue.is_set
    async with uows() as uow:
        await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, None, T0))
        await uow.commit()
    assert wakeup.queue.is_set and not wakeup.outbox.is_set


async def test_the_next_due_task_is_its_run_at_or_the_end_of_its_lease(
    uow_factory: Uows,
) -> None:
    async with uow_factory() as uow:
        store = SqlTaskStore(uow.session)
        assert await store.next_due() is None
        first = await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, None, T0))
        await uow.tasks.enqueue(NewTask(TaskKind.CONFIRM_ORDER, None, T0 + timedelta(minutes=5)))
        assert await store.next_due() == T0
        await uow.session.execute(  # leased until a minute on: claimable then, not before
            update(TASKS).where(TASKS.c.id == first)
            .values(locked_until=T0 + timedelta(minutes=1), locked_by="other"))
        assert await store.next_due() == T0 + timedelta(minutes=1)
        await uow.session.execute(update(TASKS).where(TASKS.c.id == first).values(state="done"))
        assert await store.next_due() == T0 + timedelta(minutes=5)


async def test_the_next_due_message_is_a_chats_oldest_unsent_one(uow_factory: Uows) -> None:
    async with uow_factory() as uow:
        store = SqlOutboxStore(uow.session)
        assert await store.next_due() is None
        for chat_id, order in ((1001, 1), (1001, 2), (1002, 3)):
            await uow.outbox.add(Notification(chat_id, OrderReady(order)), T0)
        o = OUTBOX.c
        rows = {row.payload["order_id"]: row.id for row in
                (await uow.session.execute(select(o.id, o.payload))).all()}
        await uow.session.execute(  # the first chat's head waits for a retry in a minute
            update(OUTBOX).where(o.id == rows[1]).values(next_attempt_at=T0 + timedelta(minutes=1)))
        await uow.session.execute(  # the other chat's is leased for two
            update(OUTBOX).where(o.id == rows[3])
            .values(locked_until=T0 + timedelta(minutes=2), locked_by="other"))
        assert await store.next_due() == T0 + timedelta(minutes=1)  # not the waiting second one
        await uow.session.execute(update(OUTBOX).where(o.id == rows[1]).values(sent_at=T0))
        assert await store.next_due() == T0  # now the second is its chat's oldest
