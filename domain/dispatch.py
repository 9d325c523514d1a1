"""Which partner gets the next offer (DESIGN.md §5)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from domain.ids import UserId
from domain.partners import Partner

_NEVER = datetime.min.replace(tzinfo=UTC)


def _idle_order(partner: Partner) -> tuple[datetime, int]:
    """Longest idle first; a partner never busy counts as idle forever; ties by id."""
    return (partner.idle_since or _NEVER, partner.id)


def pick_partner(
    partners: Iterable[Partner], *, exclude: Collection[UserId] = ()
) -> Partner | None:
    """The available partner idle longest, skipping those in `exclude`; ties by id."""
    candidates = [p for p in partners if p.is_available and p.id not in exclude]
    if not candidates:
        return None
    return min(candidates, key=_idle_order)


class PartnerPool:
    """The free partners of one dispatch round, each offered at most one order.

    `take` gives what `pick_partner` would, then removes the partner, so one batch of
    dispatch steps never offers two orders to the same partner.
    """

    def __init__(self, partners: Iterable[Partner] = ()) -> None:
        self._queue = sorted((p for p in partners if p.is_available), key=_idle_order)

    def __len__(self) -> int:
        return len(self._queue)

    def take(self, *, exclude: Collection[UserId] = ()) -> Partner | None:
        for index, partner in enumerate(self._queue):
            if partner.id not in exclude:
                del self._queue[index]
                return partner
        return None
