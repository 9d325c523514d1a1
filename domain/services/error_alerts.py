"""Telling the admins that something failed unexpectedly: once per distinct error per window.

An error that hits every update (a missing table, a bug on a busy screen) must not send the
admins a message per update. A failure is "the same" when its exception type and the place
it was raised (the innermost frame in our own code) are; the first one is alerted, the next
ones stay quiet until `window` has passed since that alert.

The window is kept in this process's memory: with several instances, each alerts once per
window for a given error, a handful of messages at most. Keeping it in the database would
put a write (and a failure point) on the error path of every failing update, often while
the database is the very thing that is failing; and forgetting it on a restart only means
one more alert.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.messages import ErrorAlert, Notification
from domain.ports import Clock, Outbox, Transaction


@dataclass(frozen=True, slots=True)
class Failure:
    """What failed, in words that carry nothing a user typed and no secret."""

    error_type: str  # the exception's class, e.g. "sqlalchemy.exc.OperationalError"
    where: str  # module and function of the innermost frame in our code
    update_kind: str  # what was being handled: "message", "callback_query", "job", ...

    @property
    def message(self) -> ErrorAlert:
        """What the admins are told."""
        return ErrorAlert(self.error_type, self.where, self.update_kind)

    @property
    def key(self) -> tuple[str, str]:
        """Failures with the same key are one error for alerting."""
        return self.error_type, self.where


class AlertUnitOfWork(Transaction, Protocol):
    """What alerting needs, in one transaction."""

    outbox: Outbox


class ErrorAlerts:
    def __init__(
        self,
        uow_factory: Callable[[], AlertUnitOfWork],
        clock: Clock,
        admin_ids: frozenset[int],
        window: timedelta,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._admins = sorted(admin_ids)
        self._window = window
        self._alerted: dict[tuple[str, str], datetime] = {}  # key -> when it was alerted

    async def report(self, failure: Failure) -> bool:
        """Writes an alert for every admin to the outbox, in one transaction, unless the same
        error was alerted within the window; True when it wrote them."""
        if not self._admins:
            return False
        now = self._clock.now()
        self._forget_older_than(now - self._window)
        if failure.key in self._alerted:
            return False
        self._alerted[failure.key] = now  # before the write: a failure meanwhile stays quiet
        try:
            async with self._uow() as uow:
                for admin in self._admins:
                    await uow.outbox.add(Notification(admin, failure.message), now)
                await uow.commit()
        except BaseException:
            self._alerted.pop(failure.key, None)  # nobody was told: the next one tries again
            raise
        return True

    def _forget_older_than(self, cutoff: datetime) -> None:
        """Drops alerts whose window has passed, so the memory holds only live windows."""
        for key in [key for key, at in self._alerted.items() if at <= cutoff]:
            del self._alerted[key]
