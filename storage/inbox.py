"""The inbox and the named leases on the database (domain.inbox's ports).

Storing is one multi-row INSERT ... ON CONFLICT (update_id) DO NOTHING RETURNING, so a
redelivered update is skipped in the same statement that stores the new ones. Claims lease
each chat's oldest update not done, like the outbox's per-chat heads: a chat's next update
cannot be claimed, by this instance or another, before the one ahead of it is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.inbox import InboundUpdate, Inbox, Leases, StoredUpdate
from domain.pipeline.ports import Lease
from storage.languages import language_of
from storage.sql import INBOX, LEASES, execute_count, in_ids, insert_missing

_COLUMNS = ("update_id", "chat_id", "kind", "payload", "sent_at", "received_at", "attempts")


class SqlInbox:
    """Implements domain.inbox.Inbox.

    Every update passes through `store` and `claim` (and `claim` again, finished), so these
    are kept cheap: SQLAlchemy Core on a connection rather than an ORM session, and statements
    built once with bound parameters, so each call reuses the compiled SQL (a claim built
    afresh each time cost more Python than the database spent on it).
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory
        self._engine: AsyncEngine = session_factory.kw["bind"]
        self._statements = _Statements(self._engine.dialect.name)

    async def store(self, updates: Sequence[InboundUpdate], now: datetime) -> list[int]:
        if not updates:
            return []
        rows = [
            {"update_id": u.update_id, "chat_id": u.chat_id, "kind": u.kind[:32],
             "payload": dict(u.payload), "sent_at": u.sent_at, "received_at": now,
             "attempts": 0}
            for u in updates
        ]
        async with self._engine.begin() as connection:
            stored = (await connection.execute(self._statements.store, rows)).scalars().all()
        return sorted(stored)

    async def claim(self, lease: Lease, *, finished: Sequence[int] = ()) -> list[StoredUpdate]:
        async with self._engine.begin() as connection:
            if finished:
                await connection.execute(self._statements.finish,
                                         {"ids": list(finished), "done": lease.now})
            if lease.limit <= 0:
                return []
            rows = (await connection.execute(self._statements.claim, {
                "now": lease.now, "lease_until": lease.until, "worker": lease.worker,
                "limit": lease.limit})).mappings().all()
        return sorted((_stored(row) for row in rows), key=lambda stored: stored.update_id)

    async def release(self, update_ids: Sequence[int]) -> None:
        if not update_ids:
            return
        i = INBOX.c
        stmt = (
            update(INBOX)
            .where(i.update_id.in_(list(update_ids)), i.done_at.is_(None))
            .values(locked_until=None, locked_by=None, attempts=i.attempts - 1)
        )
        async with self._sessions() as session, session.begin():
            await session.execute(stmt)

    async def renew(self, worker: str, until: datetime) -> None:
        i = INBOX.c
        stmt = (
            update(INBOX)
            .where(i.locked_by == worker, i.done_at.is_(None))
            .values(locked_until=until)
        )
        async with self._sessions() as session, session.begin():
            await session.execute(stmt)

    async def prune(self, done_before: datetime) -> int:
        stmt = delete(INBOX).where(INBOX.c.done_at < done_before)
        async with self._sessions() as session, session.begin():
            return await execute_count(session, stmt)


class _Statements:
    """The hot statements, built once per dialect; the values are bound at each call."""

    def __init__(self, dialect: str) -> None:
        i = INBOX.c
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.store = insert(INBOX).on_conflict_do_nothing().returning(i.update_id)
        self.finish = (
            update(INBOX)
            .where(in_ids(i.update_id), i.done_at.is_(None))
            .values(done_at=bindparam("done"), locked_until=None, locked_by=None)
        )
        # per chat its oldest update not done (one pass over the index, grouped), unleased;
        # a CTE, as storage.pipeline.tasks.claim_rows: PostgreSQL keeps the LIMIT with FOR UPDATE
        heads = select(func.min(i.update_id)).where(i.done_at.is_(None)).group_by(i.chat_id)
        picked = (
            select(i.update_id)
            .where(i.done_at.is_(None), i.update_id.in_(heads),
                   or_(i.locked_until.is_(None), i.locked_until <= bindparam("now")))
            .order_by(i.update_id)
            .limit(bindparam("limit"))
            .with_for_update(skip_locked=True)
            .cte("picked")
        )
        self.claim = (
            update(INBOX)
            .where(i.update_id.in_(select(picked.c.update_id)))
            .values(locked_until=bindparam("lease_until"), locked_by=bindparam("worker"),
                    attempts=i.attempts + 1)
            .returning(*(i[name] for name in _COLUMNS), language_of("inbox.chat_id"))
        )


def _stored(row: RowMapping) -> StoredUpdate:
    return StoredUpdate(
        update_id=row["update_id"], chat_id=row["chat_id"], kind=row["kind"],
        payload=row["payload"], sent_at=row["sent_at"], received_at=row["received_at"],
        attempts=row["attempts"], language=row["language"],
    )


class SqlLeases:
    """Implements domain.inbox.Leases: one row per name, taken by a guarded UPDATE."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> str:
        lease = LEASES.c
        take = (
            update(LEASES)
            .where(lease.name == name, or_(lease.holder == holder, lease.expires_at <= now))
            .values(holder=holder, expires_at=until)
        )
        async with self._sessions() as session, session.begin():
            if await execute_count(session, take) == 1:
                return holder
            row = {"name": name, "holder": holder, "expires_at": until}
            inserted = await session.execute(
                insert_missing(session, LEASES, row).returning(LEASES.c.name))
            if inserted.first() is not None:
                return holder
            current = select(lease.holder).where(lease.name == name)
            return str((await session.execute(current)).scalar_one())

    async def release(self, name: str, holder: str) -> None:
        lease = LEASES.c
        stmt = delete(LEASES).where(lease.name == name, lease.holder == holder)
        async with self._sessions() as session, session.begin():
            await session.execute(stmt)


def _implements(inbox: SqlInbox, leases: SqlLeases) -> tuple[Inbox, Leases]:
    return inbox, leases  # mypy checks the classes against the ports the bot uses
