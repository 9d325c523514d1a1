"""Which partner gets the next offer (DESIGN.md §5)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from domain.ids import UserId
from domain.partners import Partner

_NEVER = datetime.min.replace(tzinfo=UTC)


def pick_partner(
    partners: Iterable[Partner], *, exclude: Collection[UserId] = ()
) -> Partner | None:
    """The available partner idle longest, skipping those in `exclude`; ties by id."""
    candidates = [p for p in partners if p.is_available and p.id not in exclude]
    if not candidates:
        return None
    return min(candidates, key=lambda p: (p.idle_since or _NEVER, p.id))
