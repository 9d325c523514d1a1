"""Ending the running leases of a process early (storage.reaping): its inbox updates, tasks,
outbox messages and its polling lease are claimable at once by another, nobody else's are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.inbox import InboundUpdate
from domain.messages import Notification, OrderReady
from domain.pipeline.ports import Lease
from domain.tasks import NewTask, TaskKind
from storage.inbox import SqlInbox, SqlLeases
from storage.pipeline.outbox import SqlOutboxStore
from storage.pipeline.tasks import SqlTaskStore
from storage.reaping import SqlLeaseHolders
from storage.uow import SqlUnitOfWork
from tests.integration.builders import CUSTOMER, T0

Uows = Callable[[], SqlUnitOfWork]
LONG = timedelta(hours=1)
DEAD, ALIVE, NEW = "host-ab12cd34-4242-aaaabbbb", "host-ab12cd34-77-ccccdddd", "newcomer"


def update(update_id: int, chat_id: int) -> InboundUpdate:
    return InboundUpdate(update_id, chat_id, "message", {"update_id": update_id}, T0)


async def hold(uows: Uows, sessions: async_sessionmaker[AsyncSession]) -> None:
    """DEAD and ALIVE each hold an inbox update, a task and an outbox message for an hour;
    DEAD also the polling lease."""
    inbox = SqlInbox(sessions)
    await inbox.store([update(1, 501), update(2, 502)], T0)
    async with uows() as uow:
        for _ in range(2):
            await uow.tasks.enqueue(NewTask(TaskKind.DISPATCH, None, T0))
        await uow.outbox.add(Notification(CUSTOMER, OrderReady(1)), T0)
        await uow.outbox.add(Notification(CUSTOMER + 1, OrderReady(2)), T0)
        await uow.commit()
    for holder in (DEAD, ALIVE):
        await inbox.claim(Lease(holder, T0, LONG, 1))
        async with uows() as uow:
            await SqlTaskStore(uow.session).claim_due(Lease(holder, T0, LONG, 1))
            await SqlOutboxStore(uow.session).claim_due(Lease(f"{holder}#out1", T0, LONG, 1))
            await uow.commit()
    assert await SqlLeases(sessions).acquire("polling", DEAD, T0, T0 + LONG) == DEAD


async def claimable(uows: Uows, sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    """What a newcomer can claim a second later: inbox updates, tasks, messages, polling."""
    now = T0 + timedelta(seconds=1)
    inbox = await SqlInbox(sessions).claim(Lease(NEW, now, LONG, 10))
    async with uows() as uow:
        tasks = await SqlTaskStore(uow.session).claim_due(Lease(NEW, now, LONG, 10))
        messages = await SqlOutboxStore(uow.session).claim_due(Lease(NEW, now, LONG, 10))
        await uow.commit()
    polling = await SqlLeases(sessions).acquire("polling", NEW, now, now + LONG) == NEW
    return [len(inbox), len(tasks), len(messages), int(polling)]


async def test_the_running_leases_name_their_holders_and_ending_some_frees_only_theirs(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await hold(uow_factory, session_factory)
    holders = SqlLeaseHolders(session_factory)
    now = T0 + timedelta(seconds=1)
    assert await holders.running(now) == {DEAD, ALIVE, f"{DEAD}#out1", f"{ALIVE}#out1"}

    assert await holders.end({DEAD, f"{DEAD}#out1"}, now) == (4, 0)  # update, task, message,
    # polling; nothing recorded from a journal

    assert await claimable(uow_factory, session_factory) == [1, 1, 1, 1]
    assert await holders.running(now) == {ALIVE, f"{ALIVE}#out1", NEW}


async def test_leases_that_ran_out_are_not_running(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await hold(uow_factory, session_factory)
    holders = SqlLeaseHolders(session_factory)
    assert await holders.running(T0 + LONG) == set()
    assert await holders.end({DEAD, f"{DEAD}#out1"}, T0 + LONG) == (0, 0)
