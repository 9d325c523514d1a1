"""The sender's claims: in order per chat, paced per chat and overall, from the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.inbox import InboundUpdate
from domain.messages import Notification, OrderReady, OrderStatusChanged
from domain.pipeline.ports import Lease, OutgoingMessage
from storage.inbox import SqlInbox
from storage.languages import SqlLanguages
from storage.pipeline.outbox import Pacing, SqlMessageOutbox
from storage.sql import OUTBOX
from storage.uow import SqlUnitOfWork
from tests.integration.builders import T0

Uows = Callable[[], SqlUnitOfWork]
ASHA, BILAL, CHEN = 1001, 1002, 1003
EDIT = "order_status"


def outbox(sessions: async_sessionmaker[AsyncSession], **pacing: object) -> SqlMessageOutbox:
    return SqlMessageOutbox(sessions, "sender", Pacing(unpaced_kinds=frozenset({EDIT}),
                                                      **pacing))  # type: ignore[arg-type]


async def write(uows: Uows, *rows: tuple[int, str]) -> None:
    async with uows() as uow:
        for n, (chat_id, kind) in enumerate(rows):
            message = (OrderStatusChanged(n, "CONFIRMED", "CREATED") if kind == EDIT
                       else OrderReady(n))
            await uow.outbox.add(Notification(chat_id, message), T0)
        await uow.commit()


def seen(messages: list[OutgoingMessage]) -> list[tuple[int, object]]:
    return [(m.chat_id, m.data["order_id"]) for m in messages]


async def send_all(sender: SqlMessageOutbox, messages: list[OutgoingMessage], at: float) -> None:
    for message in messages:
        await sender.sent(message.id, now=T0 + timedelta(seconds=at), telegram_id=1)


async def test_each_chat_gets_its_oldest_message_first_and_one_a_second(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (ASHA, "a"), (ASHA, "a"), (BILAL, "a"))
    sender = outbox(session_factory)
    first = await sender.claim(T0)
    assert seen(first) == [(ASHA, 0), (BILAL, 2)]
    await send_all(sender, first, 0)
    assert await sender.claim(T0 + timedelta(seconds=0.5)) == []
    assert seen(await sender.claim(T0 + timedelta(seconds=1.1))) == [(ASHA, 1)]


async def test_a_message_waiting_for_a_retry_holds_back_the_rest_of_its_chat(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (ASHA, "a"), (ASHA, "a"))
    sender = outbox(session_factory)
    [head] = await sender.claim(T0)
    await sender.retry(head.id, error="RetryAfter: 5s", at=T0 + timedelta(seconds=5))
    assert await sender.claim(T0 + timedelta(seconds=2)) == []
    assert seen(await sender.claim(T0 + timedelta(seconds=5))) == [(ASHA, 0)]


async def test_a_message_given_up_no_longer_blocks_or_paces_its_chat(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (ASHA, "a"), (ASHA, "a"))
    sender = outbox(session_factory)
    [head] = await sender.claim(T0)
    await sender.give_up(head.id, error="Forbidden: bot was blocked by the user", now=T0)
    assert seen(await sender.claim(T0)) == [(ASHA, 1)]


async def test_the_overall_budget_counts_what_every_instance_sent_this_second(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (ASHA, "a"), (BILAL, "a"), (CHEN, "a"))
    one, other = outbox(session_factory, global_per_s=2.0), outbox(session_factory,
                                                                   global_per_s=2.0)
    claimed = await one.claim(T0)
    assert len(claimed) == 2
    await send_all(one, claimed, 0)
    assert await other.claim(T0 + timedelta(seconds=0.5)) == []
    assert seen(await other.claim(T0 + timedelta(seconds=1.1))) == [(CHEN, 2)]


async def test_edits_of_the_tracking_message_are_not_held_back_per_chat(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (ASHA, EDIT), (ASHA, "a"), (ASHA, EDIT))
    sender = outbox(session_factory)
    edit = await sender.claim(T0)
    await send_all(sender, edit, 0)
    news = await sender.claim(T0)  # the edit did not count as a message in the chat
    assert seen(news) == [(ASHA, 1)]
    await send_all(sender, news, 0)
    assert seen(await sender.claim(T0 + timedelta(seconds=0.1))) == [(ASHA, 2)]


async def test_a_send_cut_off_mid_try_waits_until_its_chat_has_been_answered(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """The sender died after claiming Asha's message (Telegram may have it): while her press
    on it waits in the inbox, the message is not sent again; once handled, it may be (the
    sender then drops it if the press made it stale). Bilal's, cut off too, goes again at
    once: his chat has nothing waiting."""
    await write(uow_factory, (ASHA, "a"), (BILAL, "a"))
    died = outbox(session_factory, lease_s=5.0)
    [cut_off] = [m for m in await died.claim(T0) if m.chat_id == ASHA]
    inbox = SqlInbox(session_factory)
    await inbox.store([InboundUpdate(1, ASHA, "callback_query", {"update_id": 1}, None)], T0)
    after_lease = T0 + timedelta(seconds=6)
    restarted = outbox(session_factory, lease_s=5.0)
    assert seen(await restarted.claim(after_lease)) == [(BILAL, 1)]
    [pending] = await inbox.claim(Lease("handler", after_lease, timedelta(seconds=5), 10))
    await inbox.claim(Lease("handler", after_lease, timedelta(seconds=5), 10),
                      finished=[pending.update_id])
    assert [m.id for m in await restarted.claim(after_lease)] == [cut_off.id]


async def test_a_message_never_tried_is_not_held_back_by_its_chat_s_pending_updates(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (ASHA, "a"))
    await SqlInbox(session_factory).store(
        [InboundUpdate(1, ASHA, "message", {"update_id": 1}, T0)], T0)
    assert seen(await outbox(session_factory).claim(T0)) == [(ASHA, 0)]


async def test_a_claim_takes_no_more_than_the_replies_leave_of_the_budget(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (ASHA, "a"), (BILAL, "a"), (CHEN, "a"))
    sender = outbox(session_factory)
    assert await sender.claim(T0, at_most=0) == []  # replies are waiting: nothing for now
    assert seen(await sender.claim(T0, at_most=2)) == [(ASHA, 0), (BILAL, 1)]
    assert seen(await sender.claim(T0, at_most=5)) == [(CHEN, 2)]


async def test_marks_made_at_once_share_a_commit_and_each_keeps_its_own_telegram_id(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine,
) -> None:
    await write(uow_factory, *((1000 + n, "a") for n in range(20)))
    sender = outbox(session_factory)
    claimed = await sender.claim(T0)
    assert len(claimed) == 20
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda _connection: commits.append(1))
    await asyncio.gather(*(sender.sent(m.id, now=T0 + timedelta(seconds=n), telegram_id=500 + n)
                           for n, m in enumerate(claimed)))
    assert len(commits) <= 2  # the first mark's own, then everyone who came meanwhile
    async with session_factory() as session:
        rows = (await session.execute(
            select(OUTBOX.c.id, OUTBOX.c.message_id, OUTBOX.c.sent_at, OUTBOX.c.locked_by)
            .order_by(OUTBOX.c.id))).all()
    assert [(r.message_id, r.sent_at, r.locked_by) for r in rows] == [
        (500 + n, T0 + timedelta(seconds=n), None) for n in range(20)]


async def test_when_a_shared_mark_fails_every_caller_hears_and_the_next_marks_are_written(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await write(uow_factory, (ASHA, "a"), (BILAL, "a"), (CHEN, "a"), (1004, "a"))
    failing = Failing(session_factory)
    sender = SqlMessageOutbox(failing, "sender", Pacing())  # type: ignore[arg-type]
    first, second, third, fourth = await sender.claim(T0)
    failing.left = 2
    marking = asyncio.create_task(sender.sent(first.id, now=T0, telegram_id=1))
    await failing.entered.wait()  # the first mark is being written: the next two wait for it
    waiting = [asyncio.create_task(sender.sent(m.id, now=T0, telegram_id=2)) for m in (second,
                                                                                        third)]
    failing.gate.set()
    results = await asyncio.gather(marking, *waiting, return_exceptions=True)
    assert [type(r) for r in results] == [ConnectionError] * 3
    await sender.sent(fourth.id, now=T0, telegram_id=4)
    async with session_factory() as session:
        sent = (await session.execute(
            select(OUTBOX.c.id).where(OUTBOX.c.sent_at.is_not(None)))).scalars().all()
    assert sent == [fourth.id]


async def test_with_the_overall_budget_full_the_sender_is_due_when_a_batch_has_room_again(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Not at a fixed tick: a tick that found the last second's 30 sends still in the window
    claimed nothing, and the sender lost that tick, about one in four (28 a second)."""
    await write(uow_factory, *((1000 + n, "a") for n in range(31)))
    sender = outbox(session_factory, global_per_s=30.0)
    claimed = await sender.claim(T0)
    assert len(claimed) == 30
    for n, message in enumerate(claimed):  # sent 10 ms apart, the last at T0 + 0.29 s
        await sender.sent(message.id, now=T0 + timedelta(seconds=n / 100), telegram_id=n)
    now = T0 + timedelta(seconds=0.5)
    assert await sender.claim(now) == []  # the budget is full
    # due once a quarter second's worth (8) has left the window: the 8th send, a second on
    assert await sender.next_due(now) == T0 + timedelta(seconds=1.07)
    later = T0 + timedelta(seconds=1.08)  # 9 have left: the one waiting is due by its row
    assert await sender.next_due(later) == T0
    assert len(await sender.claim(later)) == 1


async def test_the_edits_queued_behind_a_head_are_found_and_superseded_unless_being_sent(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (ASHA, EDIT), (ASHA, "a"), (ASHA, EDIT), (BILAL, EDIT), (CHEN, EDIT),
                (ASHA, EDIT))
    sender = outbox(session_factory)
    heads = await sender.claim(T0)
    asha, bilal, chen = heads
    later = await sender.later_edits([asha, bilal])
    # after the heads, edits only, in the heads' chats: not Chen's, not the heads themselves
    assert [(m.chat_id, m.id) for m in later] == [(ASHA, asha.id + 2), (ASHA, asha.id + 5)]
    await sender.supersede([m.id for m in later] + [chen.id], by=asha.id, now=T0)

    async with session_factory() as session:
        rows = dict((await session.execute(
            select(OUTBOX.c.id, OUTBOX.c.last_error).where(OUTBOX.c.given_up_at.is_not(None))
        )).all())
    assert rows == {m.id: f"superseded: outbox {asha.id} showed it" for m in later}  # not
    # chen's: its lease is running (it is being sent)


class Failing:
    """A session factory whose next `left` sessions cannot reach the database: the first
    one fails once `gate` is set."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions, self.left = sessions, 0
        self.entered, self.gate = asyncio.Event(), asyncio.Event()

    def __call__(self) -> Any:
        if self.left:
            self.left -= 1
            return Unreachable(self)
        return self._sessions()


class Unreachable:
    def __init__(self, factory: Failing) -> None:
        self._factory = factory

    async def __aenter__(self) -> None:
        self._factory.entered.set()
        await self._factory.gate.wait()
        raise ConnectionError("the database went away")

    async def __aexit__(self, *_exc: object) -> None:
        return None


async def test_each_message_is_claimed_with_its_chats_stored_language(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await SqlLanguages(session_factory).choose(BILAL, "ru")
    await write(uow_factory, (ASHA, "a"), (BILAL, EDIT))

    claimed = await outbox(session_factory).claim(T0)

    assert [(m.chat_id, m.kind, m.language) for m in claimed] == [
        (ASHA, "order_ready", None), (BILAL, EDIT, "ru")]
