"""The rider on the map (DESIGN.md §1, issue 15): while an order is on its way, the location
its partner shares live is relayed to the order's customer as a live location of their own,
moved as the partner moves and stopped when the order ends.

Nobody else sees it: a location is taken only from the partner holding an order that is out
for delivery, and shown only in that order's customer's chat, only while it is on its way.
The customer's map is moved at most once every EDIT_EVERY_S seconds, the newest spot then (a
rider's phone sends one every few seconds), so a moving rider never spends the chat's share
of Telegram's flood limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.ids import OrderId

EDIT_EVERY_S = 5  # the customer's map moves at most this often
TRACK_EVERY_S = 60  # and the tracking message's "rider is 2.1 km away" is redrawn this often
LIVE_PERIOD_S = 3 * 3600  # how long Telegram keeps the customer's map live: a long delivery
CLAIM_S = 30  # one instance works a map this long before another may


class MapStep(StrEnum):
    SHOW = "show"  # send the customer a live location at the rider's spot
    MOVE = "move"  # move it to the rider's newest spot
    STOP = "stop"  # the order is no longer on its way: stop it


@dataclass(frozen=True, slots=True)
class RiderSpot:
    """A rider's newest spot for an order, and what the customer's map shows."""

    order_id: OrderId
    chat_id: int  # the customer's
    latitude: float
    longitude: float
    moved_at: datetime
    on_the_way: bool  # the order is out for delivery now
    message_id: int | None = None  # the customer's live location, once sent
    shown: tuple[float, float] | None = None  # where it stands
    shown_at: datetime | None = None
    stopped: bool = False
    tracked_at: datetime | None = None  # the tracking message last showed the distance then

    def track_due(self, now: datetime) -> bool:
        """Whether the tracking message should show the rider's distance afresh."""
        return self.tracked_at is None or now - self.tracked_at >= timedelta(
            seconds=TRACK_EVERY_S)

    def step(self, now: datetime) -> MapStep | None:
        """What the customer's map needs now, if anything."""
        if self.stopped:
            return None
        if not self.on_the_way:
            return MapStep.STOP if self.message_id is not None else None
        if self.message_id is None:
            return MapStep.SHOW
        if self.shown == (self.latitude, self.longitude):
            return None
        return MapStep.MOVE if self.next_move <= now else None

    @property
    def next_move(self) -> datetime:
        """When the map may move again."""
        return (self.shown_at or self.moved_at) + timedelta(seconds=EDIT_EVERY_S)
