"""Paid broadcasts in the sender's claims (PAID_BROADCAST): new messages on their own overall
budget, edits of the tracking message (never paid) on the free one, each counted from the
database across instances, and the per-chat pace unchanged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.pipeline.outbox import Pacing, SqlMessageOutbox
from tests.integration.builders import T0
from tests.integration.test_outbox_pacing import EDIT, Uows, seen, send_all, write

NEWS = [(2001 + n, "a") for n in range(6)]
EDITS = [(3001 + n, EDIT) for n in range(3)]


def paid(sessions: async_sessionmaker[AsyncSession]) -> SqlMessageOutbox:
    pacing = Pacing(global_per_s=2.0, paid_per_s=5.0, unpaced_kinds=frozenset({EDIT}))
    return SqlMessageOutbox(sessions, "sender", pacing)


async def test_new_messages_go_on_the_paid_budget_and_edits_on_the_free_one(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, *NEWS, *EDITS)
    sender, other = paid(session_factory), paid(session_factory)
    claimed = await sender.claim(T0)
    kinds = sorted(m.kind for m in claimed)
    assert kinds.count(EDIT) == 2 and len(kinds) == 7  # 2 free edits + 5 paid messages
    await send_all(sender, claimed, 0)
    assert await other.claim(T0 + timedelta(seconds=0.5)) == []  # both budgets spent
    later = await other.claim(T0 + timedelta(seconds=1.1))
    assert sorted(chat for chat, _ in seen(later)) == [2006, 3003]


async def test_the_instances_spare_bounds_each_budget_apart(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, *NEWS, *EDITS)
    claimed = await paid(session_factory).claim(T0, at_most=1, paid_at_most=3)
    assert sorted(m.kind == EDIT for m in claimed) == [False, False, False, True]
    assert await paid(session_factory).claim(T0, at_most=0, paid_at_most=0) == []


async def test_a_paid_message_still_waits_a_second_after_the_last_in_its_chat(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, (2001, "a"), (2001, "a"))
    sender = paid(session_factory)
    first = await sender.claim(T0)
    await send_all(sender, first, 0)
    assert await sender.claim(T0 + timedelta(seconds=0.5)) == []
    assert len(await sender.claim(T0 + timedelta(seconds=1.1))) == 1


async def test_the_sender_is_due_again_when_either_budget_has_room(
    uow_factory: Uows, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write(uow_factory, *NEWS, *EDITS)
    sender = paid(session_factory)
    claimed = await sender.claim(T0)
    news = [m for m in claimed if m.kind != EDIT]
    await send_all(sender, news, 0)  # the paid budget is full, the free one is not
    assert await sender.next_due(T0 + timedelta(seconds=0.1)) <= T0 + timedelta(seconds=0.1)
    await send_all(sender, [m for m in claimed if m.kind == EDIT], 0)
    assert await sender.next_due(T0 + timedelta(seconds=0.1)) == T0 + timedelta(seconds=1)
