"""The sender's outbox port on the database: paced claims, then one settlement per message.

Pacing is derived from the outbox itself (when each chat was last sent to, how many messages
went out in the last second), so every instance sharing the database keeps the same limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.pipeline_ports import MessageOutbox, OutgoingMessage
from storage.pipeline_sql import MAX_ERROR
from storage.work_queue import Lease, SqlOutboxStore

SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Pacing:
    """Telegram's limits as the sender keeps them (DESIGN.md §4)."""

    per_chat_per_s: float = 1.0
    global_per_s: float = 30.0
    lease_s: float = 30.0
    batch_size: int = 100
    unpaced_kinds: frozenset[str] = frozenset()  # edits: not limited per chat like sends


class SqlMessageOutbox:
    """Implements domain.pipeline_ports.MessageOutbox."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], worker_id: str, pacing: Pacing
    ) -> None:
        self._sessions = session_factory
        self._worker_id = worker_id
        self._pacing = pacing
        self._claims = count(1)

    async def claim(self, now: datetime) -> list[OutgoingMessage]:
        pacing = self._pacing
        gap = timedelta(seconds=1 / pacing.per_chat_per_s)
        async with self._sessions() as session, session.begin():
            store = SqlOutboxStore(session)
            budget = math.floor(pacing.global_per_s) - await store.sent_since(now - SECOND)
            if budget <= 0:
                return []
            token = f"{self._worker_id}#out{next(self._claims)}"
            lease = Lease(token, now, timedelta(seconds=pacing.lease_s),
                          min(budget, pacing.batch_size))
            claimed = await store.claim_heads(lease, gap, pacing.unpaced_kinds)
        return [OutgoingMessage(m.id, m.chat_id, m.kind, m.payload, m.attempts) for m in claimed]

    async def sent(self, message_id: int, *, now: datetime, telegram_id: int | None) -> None:
        async with self._sessions() as session, session.begin():
            await SqlOutboxStore(session).mark_sent(message_id, now=now, telegram_id=telegram_id)

    async def retry(self, message_id: int, *, error: str, at: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await SqlOutboxStore(session).retry_later(message_id, error=error[:MAX_ERROR], at=at)

    async def give_up(self, message_id: int, *, error: str, now: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await SqlOutboxStore(session).give_up(message_id, error=error[:MAX_ERROR], now=now)


def _implements(outbox: SqlMessageOutbox) -> MessageOutbox:
    return outbox  # mypy checks the class against the port the sender job uses
