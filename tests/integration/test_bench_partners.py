"""The pipeline benchmark's partners read their offers from the outbox after the last one read
(bench/pipeline_world.py). With several instances two workers write offers at once, and on
PostgreSQL the row whose id was drawn first may commit last, below that cursor: the partners
must still see it, once, or its order waits for the offer to run out (a minute of wall clock)
and the run's checks fail, as runs of `--processes 2` on PostgreSQL did one time in two."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.pipeline_world import T0, AcceleratedClock, Partners
from domain.messages import Kind
from domain.pipeline.actions import Presses
from storage.pipeline.store import SqlPipelineStore
from storage.sql import OUTBOX


async def offered(sessions: async_sessionmaker[AsyncSession], *offers: tuple[int, int, int]
                  ) -> None:
    """Offer rows (id, partner's chat, order) committed now, whatever their ids."""
    async with sessions() as session, session.begin():
        await session.execute(insert(OUTBOX), [
            {"id": row_id, "chat_id": chat, "kind": Kind.OFFER.value,
             "payload": {"order_id": order}, "created_at": T0, "next_attempt_at": T0}
            for row_id, chat, order in offers])


async def test_an_offer_committed_below_the_cursor_is_seen_once_by_its_instance(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    clock, ticks = AcceleratedClock(1200), [0.0]
    partners = Partners(Presses(SqlPipelineStore(session_factory), clock), clock,
                        share=(0, 2), ticks=lambda: ticks[0])  # the partners with even ids
    await offered(session_factory, (10, 2, 1), (12, 3, 9))
    assert await partners.new_offers(session_factory) == [(1, 2)]

    await offered(session_factory, (5, 4, 2), (7, 5, 8), (11, 6, 3))  # 5 drawn first
    assert await partners.new_offers(session_factory) == [(3, 6)]  # past the cursor at once
    ticks[0] += 0.25
    assert await partners.new_offers(session_factory) == [(2, 4)]  # below it: at the late look
    for _ in range(8):  # and never again, as the looks go on past the look-back
        ticks[0] += 0.25
        assert await partners.new_offers(session_factory) == []
