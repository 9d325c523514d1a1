"""The outbox's journal of what Telegram took (storage.sent_journal): written before the
database is asked, emptied once the database has it, and read back by a reaper when its
process died first, so a message Telegram took is not sent again after a kill."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.holders import Reaper, worker_id
from domain.messages import Notification, OrderReady
from storage.pipeline.outbox import Pacing, SqlMessageOutbox
from storage.reaping import SqlLeaseHolders
from storage.sent_journal import SentJournal, Taken
from storage.sql import OUTBOX
from storage.uow import SqlUnitOfWork
from tests.bot.test_holders import like
from tests.integration.builders import CUSTOMER, T0
from tests.integration.test_outbox_pacing import Failing

Uows = Callable[[], SqlUnitOfWork]
LATER = T0 + timedelta(hours=1)  # every lease has run out


@pytest.fixture
def journals(tmp_path: Path) -> Path:
    return tmp_path / "foodbot.db-sent"


def files(folder: Path) -> list[str]:
    return [entry.name for entry in folder.iterdir()]


async def one_message(uows: Uows) -> None:
    async with uows() as uow:
        await uow.outbox.add(Notification(CUSTOMER, OrderReady(7)), T0)
        await uow.commit()


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[object, ...]]:
    async with sessions() as session:
        result = await session.execute(
            select(OUTBOX.c.sent_at, OUTBOX.c.message_id, OUTBOX.c.locked_by))
        return [tuple(row) for row in result]


async def test_a_send_is_written_down_first_and_forgotten_once_the_database_has_it(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], journals: Path
) -> None:
    await one_message(uow_factory)
    name = worker_id()
    sender = SqlMessageOutbox(session_factory, name, Pacing(), SentJournal(journals, name))
    [message] = await sender.claim(T0)
    assert not (journals / name).exists()  # nothing sent yet: no file

    await sender.sent(message.id, now=T0, telegram_id=77)

    assert await rows(session_factory) == [(T0, 77, None)]
    assert (journals / name).read_bytes() == b""  # all of it recorded
    sender.close()
    assert files(journals) == []  # the file removed, its folder kept


async def test_a_sender_that_died_before_its_mark_committed_is_not_sent_again(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], journals: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram took the message; the database never heard (here it is unreachable; in the
    chaos run the process is killed while its mark waits behind another writer)."""
    await one_message(uow_factory)
    dead = like(worker_id(), tag="zzzz")  # an earlier process with this process id
    failing = Failing(session_factory)
    journal = SentJournal(journals, dead)
    sender = SqlMessageOutbox(failing, dead, Pacing(), journal)  # type: ignore[arg-type]
    [message] = await sender.claim(T0)
    failing.left = 1
    failing.gate.set()
    with pytest.raises(ConnectionError):
        await sender.sent(message.id, now=T0, telegram_id=77)
    assert (journals / dead).read_bytes() != b""  # kept: the database does not have it

    reaper = Reaper(SqlLeaseHolders(session_factory, journals))
    with caplog.at_level(logging.WARNING, logger="bot.holders"):
        assert await reaper.reap(T0 + timedelta(seconds=1)) == 0  # recorded, nothing to free

    assert await rows(session_factory) == [(T0, 77, None)]
    assert await SqlMessageOutbox(session_factory, "next", Pacing()).claim(LATER) == []
    assert files(journals) == []  # the file removed, its folder kept
    [line] = [r.getMessage() for r in caplog.records]
    assert "recorded 1 messages" in line and dead[:-4] in line


async def test_the_journal_of_a_live_process_is_left_to_it(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], journals: Path,
) -> None:
    """Telegram has answered, the mark is on its way: another instance's reaper on this
    machine neither records it nor ends the lease."""
    await one_message(uow_factory)
    name = worker_id()  # this process: alive
    sender = SqlMessageOutbox(session_factory, name, Pacing())
    [message] = await sender.claim(T0)
    SentJournal(journals, name).took(Taken(message.id, T0, 77))

    assert await Reaper(SqlLeaseHolders(session_factory, journals)).reap(T0) == 0

    assert await rows(session_factory) == [(None, None, f"{name}#out1")]
    assert (journals / name).read_bytes() != b""
