"""The sender's outbox port on the database: paced claims, then one settlement per message.

Pacing is derived from the outbox itself (when each chat was last sent to, how many messages
went out in the last second), so every instance sharing the database keeps the same limits.

With paid broadcasts (`Pacing.paid_per_s`, PAID_BROADCAST) the overall budget has two lanes:
new messages, sent as paid broadcasts, count against `paid_per_s`; edits (the unpaced kinds:
editMessageText takes no allow_paid_broadcast) against `global_per_s`, as before.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Any, cast

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.orders import OrderStatus
from domain.pipeline.model import OfferState
from domain.pipeline.ports import Lease, MessageOutbox, OutgoingMessage
from domain.pipeline.stale import OrderNow
from storage.pipeline.marks import SentMarks
from storage.pipeline.outbox_claims import CLAIM_DUE, CLAIM_HEADS, chat_head, lane
from storage.pipeline.sql import MAX_ERROR, OFFERS
from storage.pipeline.tasks import claim_rows
from storage.sent_journal import SentJournal, Taken
from storage.sql import ORDERS, OUTBOX

SECOND = timedelta(seconds=1)
BATCH_S = 0.25  # a sender held back by the overall budget looks again once this much is free


@dataclass(frozen=True, slots=True)
class Pacing:
    """Telegram's limits as the sender keeps them (DESIGN.md §4)."""

    per_chat_per_s: float = 1.0
    global_per_s: float = 30.0
    lease_s: float = 30.0
    batch_size: int = 100
    unpaced_kinds: frozenset[str] = frozenset()  # edits: not limited per chat like sends
    paid_per_s: float | None = None  # new messages as paid broadcasts: their own overall budget

    def lanes(self) -> list[tuple[bool | None, float]]:
        """(which rows, budget a second): all rows on one budget; with paid broadcasts the
        edits (True) on the free one, the new messages (False) on the paid one."""
        if self.paid_per_s is None:
            return [(None, self.global_per_s)]
        return [(True, self.global_per_s), (False, self.paid_per_s)]


class SqlMessageOutbox:
    """Implements domain.pipeline.ports.MessageOutbox."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], worker_id: str, pacing: Pacing,
        journal: SentJournal | None = None,
    ) -> None:
        self._sessions = session_factory
        self._worker_id = worker_id
        self._pacing = pacing
        self._claims = count(1)
        self._marks = SentMarks(session_factory, journal)

    @property
    def batch_size(self) -> int:
        return self._pacing.batch_size

    async def claim(self, now: datetime, *, at_most: int | None = None,
                    paid_at_most: int | None = None) -> list[OutgoingMessage]:
        pacing = self._pacing
        gap = timedelta(seconds=1 / pacing.per_chat_per_s)
        lanes = [(edits, per_s, paid_at_most if edits is False else at_most)
                 for edits, per_s in pacing.lanes()]
        lanes = [lane for lane in lanes if lane[2] is None or lane[2] > 0]
        if not lanes:
            return []
        claimed: list[OutgoingMessage] = []
        async with self._sessions() as session, session.begin():
            store = SqlOutboxStore(session, pacing.unpaced_kinds)
            token = f"{self._worker_id}#out{next(self._claims)}"
            for edits, per_s, limit in lanes:
                budget = math.floor(per_s) - await store.sent_since(now - SECOND, edits)
                budget = budget if limit is None else min(budget, limit)
                if budget > 0:
                    lease = Lease(token, now, timedelta(seconds=pacing.lease_s),
                                  min(budget, pacing.batch_size))
                    claimed += await store.claim_heads(lease, gap, edits)
        return claimed

    async def next_due(self, now: datetime) -> datetime | None:
        async with self._sessions() as session:
            store = SqlOutboxStore(session, self._pacing.unpaced_kinds)
            due = await store.next_due()
            if due is None:
                return None
            rooms = []
            for edits, per_s in self._pacing.lanes():  # due once any lane has room
                budget = math.floor(per_s)
                room = await store.room_at(now - SECOND, budget, math.ceil(budget * BATCH_S),
                                           edits)
                if room is None:
                    return due
                rooms.append(room)
        return max(due, min(rooms))

    async def sent(self, message_id: int, *, now: datetime, telegram_id: int | None) -> None:
        """Records a message Telegram took (storage.pipeline.marks: written to the journal
        first, then in a commit shared with the marks that came meanwhile)."""
        await self._marks.record(Taken(message_id, now, telegram_id))

    def close(self) -> None:
        """Stops the journal: this process sends nothing more."""
        self._marks.close()

    async def retry(self, message_id: int, *, error: str, at: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await SqlOutboxStore(session).retry_later(message_id, error=error[:MAX_ERROR], at=at)

    async def give_up(self, message_id: int, *, error: str, now: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await SqlOutboxStore(session).give_up(message_id, error=error[:MAX_ERROR], now=now)

    async def later_edits(self, heads: Collection[OutgoingMessage]) -> list[OutgoingMessage]:
        """The unsent edits (the unpaced kinds) queued after `heads` in the heads' chats,
        oldest first."""
        if not heads or not self._pacing.unpaced_kinds:
            return []
        o = OUTBOX.c
        stmt = (
            select(o.id, o.chat_id, o.kind, o.payload, o.attempts)
            .where(o.chat_id.in_(sorted({head.chat_id for head in heads})),
                   o.id > min(head.id for head in heads),
                   o.id.not_in(sorted(head.id for head in heads)),
                   o.kind.in_(sorted(self._pacing.unpaced_kinds)),
                   o.sent_at.is_(None), o.given_up_at.is_(None))
            .order_by(o.id)
        )
        async with self._sessions() as session:
            return [_message(row) for row in (await session.execute(stmt)).mappings()]

    async def supersede(self, message_ids: Collection[int], *, by: int, now: datetime) -> None:
        """Gives up unsent edits that the edit `by` has shown (it rendered the order after
        they were written); one being sent by another try is left to it."""
        if not message_ids:
            return
        o = OUTBOX.c
        stmt = (
            update(OUTBOX)
            .where(o.id.in_(sorted(message_ids)), o.sent_at.is_(None), o.given_up_at.is_(None),
                   or_(o.locked_until.is_(None), o.locked_until <= now))
            .values(given_up_at=now, last_error=f"superseded: outbox {by} showed it")
        )
        async with self._sessions() as session, session.begin():
            await session.execute(stmt)

    async def orders_now(self, order_ids: Collection[int]) -> Mapping[int, OrderNow]:
        if not order_ids:
            return {}
        ids = sorted(set(order_ids))
        async with self._sessions() as session:
            orders = (await session.execute(
                select(ORDERS.c.id, ORDERS.c.status, ORDERS.c.partner_id)
                .where(ORDERS.c.id.in_(ids)))).all()
            offers = (await session.execute(
                select(OFFERS.c.order_id, OFFERS.c.partner_id)
                .where(OFFERS.c.order_id.in_(ids), OFFERS.c.state == OfferState.OPEN.value)
            )).all()
        offered: dict[int, set[int]] = {}
        for order_id, partner_id in offers:
            offered.setdefault(order_id, set()).add(partner_id)
        return {order_id: OrderNow(OrderStatus(status), partner_id,
                                   frozenset(offered.get(order_id, ())))
                for order_id, status, partner_id in orders}


class SqlOutboxStore:
    def __init__(self, session: AsyncSession, unpaced: Collection[str] = ()) -> None:
        """`unpaced`: the kinds that are edits (not paced per chat, never paid broadcasts)."""
        self._session = session
        self._unpaced = sorted(unpaced)

    async def claim_due(self, lease: Lease) -> list[OutgoingMessage]:
        """Unsent messages that are due, oldest first, so each chat gets them in order."""
        return [_message(row) for row in await claim_rows(self._session, CLAIM_DUE, lease)]

    async def claim_heads(
        self, lease: Lease, gap: timedelta, edits: bool | None = None
    ) -> list[OutgoingMessage]:
        """Like `claim_due`, but per chat only its oldest unsent message, and only for chats
        nothing was sent to within `gap`: messages reach each chat in order, paced.

        Rows of the `unpaced` kinds (edits of a message already there) neither wait for the
        gap nor count as sent for it. A chat whose oldest message waits for a retry, or is
        leased, gets nothing else meanwhile.

        A row still marked with the lease of a try that never settled (its sender died, or
        hung, mid-send: Telegram may have the message) waits until its chat has no update
        in the inbox left to handle: the user may have acted on the first copy (accepted the
        offer), and once that is handled the sender's stale check drops the second.

        `edits`: only the edits (True), only the new messages (False), or both (None).
        """
        rows = await claim_rows(self._session, CLAIM_HEADS[edits], lease,
                                since=lease.now - gap, unpaced=self._unpaced)
        return [_message(row) for row in rows]

    async def next_due(self) -> datetime | None:
        """When the first chat's oldest unsent message is due by its own row: its next
        attempt, or the end of the lease holding it, whichever is later. Pacing is not
        counted (a message it holds back is due); None when nothing waits."""
        o, head = OUTBOX.c, chat_head()
        later = case((o.locked_until > o.next_attempt_at, o.locked_until),
                     else_=o.next_attempt_at)
        stmt = select(func.min(later)).where(o.sent_at.is_(None), o.given_up_at.is_(None),
                                             o.id == head)
        return cast(datetime | None, (await self._session.execute(stmt)).scalar_one())

    async def room_at(self, since: datetime, budget: int, room: int,
                      edits: bool | None = None) -> datetime | None:
        """When the overall `budget` (of the lane `edits`), full now, has `room` messages free
        again: the messages sent after `since` leave it a second after they were sent. None:
        it is not full."""
        stmt = (select(OUTBOX.c.sent_at).where(OUTBOX.c.sent_at > since, lane(edits))
                .order_by(OUTBOX.c.sent_at))
        sent = (await self._session.execute(stmt, {"unpaced": self._unpaced})).scalars().all()
        if len(sent) < budget:
            return None
        leaving = len(sent) - budget + min(room, budget)  # how many must leave first
        return cast(datetime, sent[leaving - 1]) + SECOND

    async def sent_since(self, since: datetime, edits: bool | None = None) -> int:
        """How many messages (of the lane `edits`) were sent after `since` (by every
        instance)."""
        stmt = (select(func.count()).select_from(OUTBOX)
                .where(OUTBOX.c.sent_at > since, lane(edits)))
        return int((await self._session.execute(stmt, {"unpaced": self._unpaced})).scalar_one())

    async def give_up(self, message_id: int, *, error: str, now: datetime) -> None:
        stmt = (
            update(OUTBOX)
            .where(OUTBOX.c.id == message_id, OUTBOX.c.sent_at.is_(None))
            .values(given_up_at=now, last_error=error, locked_until=None, locked_by=None)
        )
        await self._session.execute(stmt)

    async def retry_later(self, message_id: int, *, error: str, at: datetime) -> None:
        stmt = (
            update(OUTBOX)
            .where(OUTBOX.c.id == message_id, OUTBOX.c.sent_at.is_(None))
            .values(next_attempt_at=at, last_error=error, locked_until=None, locked_by=None)
        )
        await self._session.execute(stmt)


def _message(row: Mapping[Any, Any]) -> OutgoingMessage:
    return OutgoingMessage(row["id"], row["chat_id"], row["kind"], row["payload"], row["attempts"],
                           row.get("language"))


def _implements(outbox: SqlMessageOutbox) -> MessageOutbox:
    return outbox  # mypy checks the class against the port the sender job uses

