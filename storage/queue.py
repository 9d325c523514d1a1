"""Writing to the durable task queue and the outbox, inside the caller's transaction (§4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ids import TaskId
from domain.messages import Notification
from domain.tasks import NewTask
from storage import mapping
from storage.pipeline.sql import add_tasks
from storage.sql import OUTBOX, TASKS
from storage.wakes import Written


class SqlTaskQueue:
    def __init__(self, session: AsyncSession, written: Written | None = None) -> None:
        self._session = session
        self._written = written or Written()

    async def enqueue(self, task: NewTask) -> TaskId:
        """Adds a pending task due at `task.run_at`; it is visible to workers after commit."""
        stmt = insert(TASKS).values(mapping.task_values(task)).returning(TASKS.c.id)
        self._written.tasks = True
        return TaskId((await self._session.execute(stmt)).scalar_one())

    async def enqueue_many(self, tasks: Sequence[NewTask]) -> None:
        """Adds pending tasks, in one statement."""
        if tasks:
            await add_tasks(self._session, tasks)
            self._written.tasks = True


class SqlOutbox:
    def __init__(self, session: AsyncSession, written: Written | None = None) -> None:
        self._session = session
        self._written = written or Written()

    async def add(self, notification: Notification, at: datetime) -> None:
        """Queues a chat message, due at once; the sender delivers it after commit."""
        await self._session.execute(
            insert(OUTBOX).values(mapping.notification_values(notification, at))
        )
        self._written.messages = True
