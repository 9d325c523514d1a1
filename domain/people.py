"""People's data (issue 16): everything stored about a person, theirs to take (/mydata), and
theirs to have erased (/forgetme).

Erasing keeps what others need: a customer's orders stay for the restaurant's accounting and
/stats, a partner's deliveries for the same, each moved to an anonymous key with no name, no
contact, no address, no note; everything else about them goes (profile, cart, checkout draft,
language, their words on the private lines, the rider's spots, the messages to them and the
updates from them still kept). Refused while an order of theirs, or a delivery they carry, is
still going: the restaurant and the rider still need to reach them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from domain.errors import DomainError
from domain.ids import UserId
from domain.ports import Clock

Export = Mapping[str, Sequence[Mapping[str, Any]]]  # rows by what they are, columns by name


class StillActive(DomainError):
    """A person cannot be forgotten while an order of theirs (or their delivery) goes on."""

    code = "still_active"

    def __init__(self, order_ids: Sequence[int]) -> None:
        super().__init__(f"orders still active: {', '.join(map(str, order_ids))}")
        self.order_ids = tuple(order_ids)


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What an erasure did; `active` set: nothing, those orders are still going."""

    orders: int = 0  # their orders, kept anonymised
    deliveries: int = 0  # orders they delivered, kept anonymised
    active: Sequence[int] = field(default_factory=tuple)


class PersonalDataStore(Protocol):
    async def export(self, user_id: int) -> Export:
        """Every row stored about the user, by table; tables with none left out."""
        ...

    async def forget(self, user_id: int, now: datetime) -> Forgotten:
        """Erases the user in one transaction (see the module), unless an order of theirs or
        their delivery is active: then nothing, and `active` names those."""
        ...


class PersonalData:
    def __init__(self, store: PersonalDataStore, clock: Clock) -> None:
        self._store, self._clock = store, clock

    async def export(self, user_id: UserId) -> Export:
        return await self._store.export(user_id)

    async def forget(self, user_id: UserId) -> Forgotten:
        forgotten = await self._store.forget(user_id, self._clock.now())
        if forgotten.active:
            raise StillActive(forgotten.active)
        return forgotten
