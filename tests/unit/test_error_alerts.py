"""The admins hear of an unexpected error once per distinct error within the window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

import pytest

from domain.messages import Kind, Notification
from domain.services.error_alerts import ErrorAlerts, Failure

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=600)
ADMINS = frozenset({9001, 9002})
CART = Failure("sqlalchemy.exc.OperationalError", "storage.repositories.SqlCartRepository.get",
               "callback_query")


@dataclass
class Clock:
    at: datetime = T0

    def now(self) -> datetime:
        return self.at


@dataclass
class Outbox:
    """What the alerts wrote and committed, as the admins would receive it."""

    committed: list[Notification] = field(default_factory=list)
    pending: list[Notification] = field(default_factory=list)
    broken: bool = False  # the database is down: nothing can be written

    async def add(self, notification: Notification, at: datetime) -> None:
        if self.broken:
            raise ConnectionError("database unavailable")
        self.pending.append(notification)


@dataclass
class UnitOfWork:
    outbox: Outbox

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self.outbox.committed += self.outbox.pending
        self.outbox.pending = []

    async def rollback(self) -> None:
        self.outbox.pending = []


def alerts(outbox: Outbox, clock: Clock, admins: frozenset[int] = ADMINS) -> ErrorAlerts:
    return ErrorAlerts(lambda: UnitOfWork(outbox), clock, admins, WINDOW)


async def test_the_first_failure_alerts_every_admin_with_what_failed_where() -> None:
    outbox = Outbox()
    assert await alerts(outbox, Clock()).report(CART)
    assert [(n.chat_id, n.kind) for n in outbox.committed] == [(9001, Kind.ERROR_ALERT),
                                                                (9002, Kind.ERROR_ALERT)]
    assert outbox.committed[0].data == {
        "error_type": "sqlalchemy.exc.OperationalError",
        "where": "storage.repositories.SqlCartRepository.get",
        "update_kind": "callback_query",
    }


async def test_the_same_error_again_within_the_window_stays_quiet() -> None:
    outbox, clock = Outbox(), Clock()
    service = alerts(outbox, clock)
    await service.report(CART)
    clock.at = T0 + WINDOW - timedelta(seconds=1)
    assert not await service.report(CART)
    assert not await service.report(Failure(CART.error_type, CART.where, "message"))
    assert len(outbox.committed) == len(ADMINS)


async def test_the_same_error_once_the_window_has_passed_is_alerted_again() -> None:
    outbox, clock = Outbox(), Clock()
    service = alerts(outbox, clock)
    await service.report(CART)
    clock.at = T0 + WINDOW
    assert await service.report(CART)
    clock.at = T0 + WINDOW + timedelta(seconds=1)
    assert not await service.report(CART)  # a new window started with the second alert
    assert len(outbox.committed) == 2 * len(ADMINS)


@pytest.mark.parametrize("other", [
    Failure(CART.error_type, "storage.repositories.SqlRestaurantRepository.list", CART.update_kind),
    Failure("builtins.KeyError", CART.where, CART.update_kind),
])
async def test_another_type_or_another_place_is_a_different_error(other: Failure) -> None:
    outbox = Outbox()
    service = alerts(outbox, Clock())
    assert await service.report(CART)
    assert await service.report(other)
    assert not await service.report(other)
    assert len(outbox.committed) == 2 * len(ADMINS)


async def test_without_admins_nothing_is_written() -> None:
    outbox = Outbox()
    assert not await alerts(outbox, Clock(), frozenset()).report(CART)
    assert outbox.committed == []


async def test_an_alert_that_could_not_be_written_is_tried_again_next_time() -> None:
    outbox = Outbox(broken=True)
    service = alerts(outbox, Clock())
    with pytest.raises(ConnectionError):
        await service.report(CART)
    outbox.broken = False
    assert await service.report(CART)
    assert len(outbox.committed) == len(ADMINS)
