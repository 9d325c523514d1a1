"""The restaurant list's order, worked out once and kept until it may change.

The list shows the restaurants open now first, then by name. Deciding which are open means
asking each restaurant's hours, closed days and time zone: with a catalogue of thousands, that
was most of the list's cost, on every press of /restaurants. The order changes only when the
catalogue does (a new tuple from the catalogue cache) or when some restaurant opens or
closes, so it is kept until the first such moment, and at most `KEEP` in any case. Only the
page shown is then asked for its openings "now" (closes in 20 min, opens tomorrow).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from domain.hours import Opening, local
from domain.restaurants import Restaurant

KEEP = timedelta(minutes=5)


class RestaurantOrder:
    """Restaurants open now first, then by name (case-insensitive), then by id."""

    def __init__(self) -> None:
        self._source: Sequence[Restaurant] | None = None
        self._since = self._until = datetime.min.replace(tzinfo=UTC)
        self._ordered: list[Restaurant] = []

    def of(self, restaurants: Sequence[Restaurant], now: datetime) -> list[Restaurant]:
        """`restaurants` in the list's order at `now`; kept for the same sequence object."""
        if restaurants is not self._source or not self._since <= now < self._until:
            openings = [(r, r.opening(now)) for r in restaurants]
            openings.sort(key=lambda pair: (not pair[1].open, pair[0].name.casefold(),
                                            pair[0].id))
            self._ordered = [r for r, _ in openings]
            self._source, self._since = restaurants, now
            self._until = min([now + KEEP, *(change for r, opening in openings
                                             if (change := _next_change(r, opening, now)))])
        return self._ordered


def _next_change(restaurant: Restaurant, opening: Opening, now: datetime) -> datetime | None:
    """The first moment after `now` the restaurant may open or close: its next closing or
    opening, or, with closed days, its next local midnight (a closed day may start)."""
    changes = [moment for moment in (opening.closes_at, opening.opens_at) if moment is not None]
    if restaurant.closed_on:
        here = local(now, restaurant.time_zone)
        changes.append(here.replace(hour=0, minute=0, second=0, microsecond=0)
                       + timedelta(days=1))
    return min(changes, default=None)
